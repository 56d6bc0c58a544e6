// `fer2013`: the FER2013 benchmark from either form users download: Kaggle's CSV or the
// image-folder redistribution (with a separate or a merged validation/test folder).
#include <ferlab/abi.hpp>
#include <ferlab/dataset.hpp>
#include <filesystem>
#include <stdexcept>

#include "../common/contents_check.hpp"
#include "fer2013_csv.hpp"
#include "fer2013_folder.hpp"

namespace {
namespace fs = std::filesystem;

class Fer2013 final : public ferlab::Dataset {
 public:
  explicit Fer2013(const ferlab::Params& p) : path_(p.text("path")) {}

  ferlab::DatasetContents load(ferlab::EventSink& events) override {
    ferlab::DatasetContents contents;
    if (fs::is_directory(path_))
      contents = fer2013::read_folder(path_, events);
    else if (fs::is_regular_file(path_))
      contents = fer2013::read_csv(path_);
    else
      throw std::runtime_error("fer2013: '" + path_.string() +
                               "' is neither a folder nor a CSV file");
    datasets::check_contents(contents, "fer2013", events);
    return contents;
  }

 private:
  fs::path path_;
};

void register_plugins(ferlab::Registry& registry) {
  ferlab::Schema schema = {
      ferlab::param::text("path", std::nullopt,
                          "fer2013.csv, or the folder holding train/ and validation/ + test/ "
                          "(or a merged test/)"),
  };
  registry.add<ferlab::Dataset>(
      "fer2013", "FER2013 from Kaggle's CSV or its image-folder form; official splits", schema,
      [](const ferlab::Params& p) { return std::make_unique<Fer2013>(p); });
}

}  // namespace

FERLAB_PLUGIN("dataset-fer2013", "0.1.0", "FER2013 reader", register_plugins)
