// `image-folder`: any root/<class>/<image> tree (or root/<split>/<class>/<image>), with
// stratified ratio or k-fold splits that can keep groups such as subjects apart.
#include <algorithm>
#include <cstdio>
#include <ferlab/abi.hpp>
#include <ferlab/dataset.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include "../common/contents_check.hpp"
#include "../common/image_files.hpp"
#include "../common/labels.hpp"
#include "../common/split_plan.hpp"

namespace {
namespace fs = std::filesystem;

struct Found {
  fs::path file;
  std::string class_folder;
  std::string split;  // from the split folder; empty in the root/<class> layout
};

std::vector<fs::path> subfolders(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// "k/n" -> (k, n) with 1 <= k <= n and n >= 3 (a test fold, a val fold, training folds).
std::pair<int, int> parse_fold(const std::string& text) {
  int k = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d %c %d %c", &k, &slash, &n, &extra) != 3 || slash != '/' ||
      n < 3 || k < 1 || k > n)
    throw std::invalid_argument(
        "image-folder: fold must be 'k/n' with 1 <= k <= n and n >= 3, got '" + text + "'");
  return {k, n};
}

class ImageFolder final : public ferlab::Dataset {
 public:
  explicit ImageFolder(const ferlab::Params& p)
      : root_(p.text("root")),
        layout_(p.text("layout")),
        split_(p.text("split")),
        ratios_(p.numbers("ratios")),
        val_fraction_(p.number("val_fraction")),
        classes_(p.strings("classes")),
        aliases_(p.string_map("aliases")),
        fer_order_(p.flag("fer_order")),
        color_(p.text("channels") == "color"),
        seed_(static_cast<std::uint64_t>(p.integer("seed"))) {
    if (ratios_.size() != 3 || ratios_[0] <= 0)
      throw std::invalid_argument("image-folder: ratios must be [train, val, test] with train > 0");
    if (split_ == "kfold") fold_ = parse_fold(p.text("fold"));
    if (!p.text("group").empty()) {
      try {
        group_ = std::regex(p.text("group"));
      } catch (const std::regex_error& e) {
        throw std::invalid_argument("image-folder: group '" + p.text("group") +
                                    "' is not a valid regular expression: " + e.what());
      }
    }
  }

  ferlab::DatasetContents load(ferlab::EventSink& events) override {
    if (!fs::is_directory(root_))
      throw std::runtime_error("image-folder: root '" + root_.string() + "' is not a folder");
    std::set<std::string> folders;  // class folders, also the empty ones (an error later)
    std::vector<Found> found = scan(folders, events);
    ferlab::DatasetContents contents;
    std::map<std::string, int> label_of = assign_classes(folders, contents.classes, events);

    std::vector<fs::path> files;
    for (const Found& f : found) files.push_back(f.file);
    std::vector<cv::Mat> images = datasets::decode_images(files, color_, root_, events);

    std::vector<ferlab::Sample> samples;
    std::vector<std::string> split_of;
    std::vector<datasets::PlanItem> plan;
    for (size_t i = 0; i < found.size(); ++i) {
      auto label = label_of.find(found[i].class_folder);
      if (images[i].empty() || label == label_of.end()) continue;
      ferlab::Sample s{images[i], label->second,
                       fs::relative(found[i].file, root_).generic_string()};
      plan.push_back({s.id, s.label, group_of(found[i].file, events)});
      split_of.push_back(found[i].split);
      samples.push_back(std::move(s));
    }
    assign_splits(plan, split_of, static_cast<int>(contents.classes.size()));
    for (size_t i = 0; i < samples.size(); ++i)
      contents.splits[split_of[i]].push_back(std::move(samples[i]));
    datasets::check_contents(contents, "image-folder", events);
    return contents;
  }

 private:
  bool split_layout() const {
    if (layout_ != "auto") return layout_ == "split-folders";
    for (const fs::path& dir : subfolders(root_))
      if (!datasets::split_name(dir.filename().string()).empty()) return true;
    return false;
  }

  std::vector<Found> scan(std::set<std::string>& folders, ferlab::EventSink& events) const {
    std::vector<Found> found;
    auto add_classes = [&](const fs::path& dir, const std::string& split) {
      for (const fs::path& class_dir : subfolders(dir)) {
        std::string name = alias(class_dir.filename().string());
        folders.insert(name);
        for (fs::path& file : datasets::list_images(class_dir, true))
          found.push_back({std::move(file), name, split});
      }
    };
    if (!split_layout()) {
      add_classes(root_, "");
      return found;
    }
    for (const fs::path& dir : subfolders(root_)) {
      std::string split = datasets::split_name(dir.filename().string());
      if (split.empty())
        events.warn("unknown-folder", "image-folder: '" + dir.filename().string() +
                                          "' is not a split folder (train, val, test), ignored");
      else
        add_classes(dir, split);
    }
    return found;
  }

  std::string alias(const std::string& folder) const {
    auto it = aliases_.find(folder);
    return it == aliases_.end() ? folder : it->second;
  }

  // Fills `classes` and maps class folder names to labels.
  std::map<std::string, int> assign_classes(const std::set<std::string>& folders,
                                            std::vector<std::string>& classes,
                                            ferlab::EventSink& events) const {
    std::map<std::string, int> label_of;
    if (!classes_.empty()) {
      classes = classes_;
      for (size_t i = 0; i < classes.size(); ++i) label_of[classes[i]] = static_cast<int>(i);
      for (const std::string& folder : folders)
        if (!label_of.count(folder))
          events.warn("unlisted-class", "image-folder: folder '" + folder +
                                            "' is not in `classes`, its images are ignored");
      return label_of;
    }
    bool all_fer = fer_order_ && !folders.empty() &&
                   std::all_of(folders.begin(), folders.end(),
                               [](const std::string& f) { return datasets::fer_label(f) >= 0; });
    if (!all_fer) {
      classes.assign(folders.begin(), folders.end());
      for (size_t i = 0; i < classes.size(); ++i) label_of[classes[i]] = static_cast<int>(i);
      return label_of;
    }
    // FER emotions under any spelling: canonical names, in canonical order (of those present).
    std::set<int> present;
    for (const std::string& f : folders) present.insert(datasets::fer_label(f));
    std::map<int, int> compact;
    for (int fer : present) {
      compact[fer] = static_cast<int>(classes.size());
      classes.push_back(datasets::kFerClasses[fer]);
    }
    for (const std::string& f : folders) label_of[f] = compact[datasets::fer_label(f)];
    return label_of;
  }

  std::string group_of(const fs::path& file, ferlab::EventSink& events) const {
    if (!group_) return "";
    std::smatch m;
    const std::string name = file.filename().string();
    if (!std::regex_search(name, m, *group_)) {
      events.count("no-group");  // kept as a group of its own
      return "";
    }
    return m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
  }

  void assign_splits(const std::vector<datasets::PlanItem>& plan,
                     std::vector<std::string>& split_of, int num_classes) const {
    static const std::vector<std::string> names = {"train", "val", "test"};
    if (split_layout()) {
      // Split folders decide; without a val folder, val is carved out of train.
      if (std::find(split_of.begin(), split_of.end(), "val") != split_of.end()) return;
      std::vector<size_t> train;
      std::vector<datasets::PlanItem> items;
      for (size_t i = 0; i < plan.size(); ++i)
        if (split_of[i] == "train") train.push_back(i), items.push_back(plan[i]);
      std::vector<int> part =
          datasets::plan_parts(items, {1 - val_fraction_, val_fraction_}, num_classes, seed_);
      for (size_t j = 0; j < train.size(); ++j) split_of[train[j]] = names[part[j]];
      return;
    }
    if (split_ == "ratio") {
      std::vector<int> part = datasets::plan_parts(plan, ratios_, num_classes, seed_);
      for (size_t i = 0; i < plan.size(); ++i) split_of[i] = names[part[i]];
      return;
    }
    auto [k, n] = *fold_;  // test = fold k, val = the next fold, train = the others
    std::vector<int> fold =
        datasets::plan_parts(plan, std::vector<double>(n, 1.0), num_classes, seed_);
    for (size_t i = 0; i < plan.size(); ++i)
      split_of[i] = fold[i] == k - 1 ? "test" : fold[i] == k % n ? "val" : "train";
  }

  fs::path root_;
  std::string layout_, split_;
  std::vector<double> ratios_;
  double val_fraction_;
  std::vector<std::string> classes_;
  ferlab::StringMap aliases_;
  bool fer_order_, color_;
  std::uint64_t seed_;
  std::optional<std::pair<int, int>> fold_;
  std::optional<std::regex> group_;
};

void register_plugins(ferlab::Registry& registry) {
  using namespace ferlab::param;
  ferlab::Schema schema = {
      text("root", std::nullopt, "folder holding <class>/ or <split>/<class>/ sub-folders"),
      choice("layout", "auto", {"auto", "class-folders", "split-folders"},
             "auto: split-folders when a train/val/test folder exists"),
      choice("split", "ratio", {"ratio", "kfold"}, "class-folders layout: how splits are made"),
      number_list("ratios", {0.8, 0.1, 0.1}, 0, 1, "[train, val, test] shares for split: ratio"),
      text("fold", "1/5", "split: kfold: 'k/n' -- test is fold k, val fold k+1, train the rest"),
      number("val_fraction", 0.1, 0.01, 0.9, "split-folders without val/: share of train for val"),
      string_list("classes", {}, "class names = folder names, in label order; empty = all folders"),
      string_map("aliases", "folder name -> class name, applied before anything else"),
      flag("fer_order", true,
           "when every folder is a FER2013 emotion (any spelling), use its names and order"),
      text("group", "",
           "regular expression over file names; the first group (e.g. subject id) stays in one "
           "split"),
      choice("channels", "gray", {"gray", "color"}, "decode images as gray or BGR colour"),
      integer("seed", 1, 0, {}, "split seed: same seed, same split"),
  };
  registry.add<ferlab::Dataset>(
      "image-folder", "images in class folders, with stratified, grouped ratio or k-fold splits",
      schema, [](const ferlab::Params& p) { return std::make_unique<ImageFolder>(p); });
}

}  // namespace

FERLAB_PLUGIN("dataset-image-folder", "0.1.0", "Image-folder datasets", register_plugins)
