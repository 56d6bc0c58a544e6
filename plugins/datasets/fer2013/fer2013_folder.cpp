#include "fer2013_folder.hpp"

#include <algorithm>
#include <stdexcept>

#include "../common/image_files.hpp"
#include "../common/labels.hpp"

namespace fer2013 {
namespace fs = std::filesystem;
namespace {

struct Entry {
  fs::path file;
  int label;
  std::string split;
};

bool starts_with(const std::string& text, const std::string& prefix) {
  return datasets::simplify(text).rfind(datasets::simplify(prefix), 0) == 0;
}

// For a merged test folder: the official split from the file name.
std::string split_from_name(const fs::path& file) {
  const std::string name = file.filename().string();
  if (starts_with(name, "PublicTest")) return "val";
  if (starts_with(name, "PrivateTest")) return "test";
  throw std::runtime_error("fer2013: " + file.string() +
                           ": a merged test folder needs PublicTest_/PrivateTest_ file names to "
                           "tell val from test");
}

}  // namespace

ferlab::DatasetContents read_folder(const fs::path& root, ferlab::EventSink& events) {
  std::vector<std::pair<fs::path, std::string>> split_dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    std::string split = datasets::split_name(entry.path().filename().string());
    if (split.empty())
      events.warn("unknown-folder", "fer2013: '" + entry.path().filename().string() +
                                        "' is not a split folder, ignored");
    else
      split_dirs.emplace_back(entry.path(), split);
  }
  std::sort(split_dirs.begin(), split_dirs.end());
  bool merged_test = std::none_of(split_dirs.begin(), split_dirs.end(),
                                  [](const auto& d) { return d.second == "val"; });

  std::vector<Entry> entries;
  for (const auto& [dir, split] : split_dirs) {
    for (const auto& class_entry : fs::directory_iterator(dir)) {
      if (!class_entry.is_directory()) continue;
      const std::string folder = class_entry.path().filename().string();
      int label = datasets::fer_label(folder);
      if (label < 0)
        throw std::runtime_error("fer2013: " + class_entry.path().string() +
                                 ": not one of the seven FER2013 classes");
      for (fs::path& file : datasets::list_images(class_entry.path(), false)) {
        std::string s = merged_test && split == "test" ? split_from_name(file) : split;
        entries.push_back({std::move(file), label, s});
      }
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.file < b.file; });

  std::vector<fs::path> files;
  for (const Entry& e : entries) files.push_back(e.file);
  std::vector<cv::Mat> images = datasets::decode_images(files, false, root, events);
  ferlab::DatasetContents contents;
  contents.classes = datasets::kFerClasses;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (images[i].empty()) continue;  // warned by decode_images
    contents.splits[entries[i].split].push_back(
        {images[i], entries[i].label, fs::relative(entries[i].file, root).generic_string()});
  }
  return contents;
}

}  // namespace fer2013
