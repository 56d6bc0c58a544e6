// The declarative spec: valid specs resolve with defaults, sweeps and seeds expand, and every
// mistake is reported at once with file:line:column, key path, expectation and suggestion.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ferlab/schema_check.hpp>

#include "../support/fixture_catalog.hpp"
#include "spec/spec_loader.hpp"

using namespace ferlab;
using testing::ElementsAre;
using testing::HasSubstr;
using testing_support::fixture_catalog;

namespace {

spec::LoadedSpec load(const std::string& text, std::vector<std::string> overrides = {}) {
  return spec::load_spec_text(text, "spec.yaml", overrides, fixture_catalog());
}

std::vector<std::string> problems(const std::string& text,
                                  std::vector<std::string> overrides = {}) {
  spec::LoadedSpec loaded = load(text, overrides);
  std::vector<std::string> out;
  for (const auto& p : loaded.problems.all()) out.push_back(p.text());
  return out;
}

const char* valid = R"(name: demo
seeds: [1, 2]
dataset: {plugin: fixture-dataset, per_class: 2}
preprocess:
  - {plugin: fixture-invert}
augment:
  - {plugin: fixture-add, max: 5}
model:
  backbone: {plugin: fixture-net, width: 16}
train:
  epochs: 3
  optimizer: {name: sgd, lr: 0.1, nesterov: true}
)";

std::string with(const std::string& from, const std::string& to, std::string text = valid) {
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("fixture text not found: " + from);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST(Spec, ValidSpecResolvesEveryDefault) {
  spec::LoadedSpec s = load(valid);
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  ASSERT_EQ(s.runs.size(), 2u);
  const spec::RunSpec& run = s.runs[0];
  EXPECT_EQ(run.experiment, "demo");
  EXPECT_EQ(run.seed, 1);
  EXPECT_EQ(s.runs[1].seed, 2);
  EXPECT_EQ(run.dataset.plugin, "fixture-dataset");
  EXPECT_EQ(run.dataset.params.integer("per_class"), 2);
  EXPECT_EQ(run.dataset.version, "1.2.3");
  ASSERT_EQ(run.augment.size(), 1u);
  EXPECT_EQ(run.augment[0].params.integer("max"), 5);
  ASSERT_TRUE(run.backbone.has_value());
  EXPECT_EQ(run.backbone->params.integer("width"), 16);
  EXPECT_EQ(run.backbone->params.text("activation"), "relu");  // default filled in
  EXPECT_EQ(run.backbone->params.ints("widths"), (std::vector<std::int64_t>{8, 16}));
  EXPECT_EQ(run.train.epochs, 3);
  EXPECT_EQ(run.train.batch, 64);
  EXPECT_TRUE(run.train.optimizer.nesterov);
  EXPECT_DOUBLE_EQ(run.train.optimizer.lr, 0.1);
  EXPECT_EQ(run.train.schedule.name, options::Schedule::constant);
  EXPECT_THAT(run.eval_splits, ElementsAre("val", "test"));
  // The resolved spec names the run's own seed and every default.
  EXPECT_THAT(run.resolved_yaml, HasSubstr("seeds: [1]"));
  EXPECT_THAT(s.runs[1].resolved_yaml, HasSubstr("seeds: [2]"));
  EXPECT_THAT(run.resolved_yaml, HasSubstr("activation: relu"));
  EXPECT_THAT(run.resolved_yaml, HasSubstr("select_on: val.accuracy"));
}

// The typed options are the one source of names and defaults: a spec that sets nothing in train:
// gets TrainOptions' defaults, the schema offers exactly each enum's names (an unknown name is
// refused listing them), and every name a spec may write reads back as its enum.
TEST(Spec, TrainDefaultsAndChoicesComeFromTheTypedOptions) {
  spec::LoadedSpec s =
      load(with("  epochs: 3\n  optimizer: {name: sgd, lr: 0.1, nesterov: true}\n", "  {}\n"));
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  const options::TrainOptions& t = s.runs[0].train;
  const options::TrainOptions d;
  EXPECT_EQ(t.epochs, d.epochs);
  EXPECT_EQ(t.batch, d.batch);
  EXPECT_EQ(t.init, d.init);
  EXPECT_EQ(t.select_on, d.select_on);
  EXPECT_EQ(t.class_weights, d.class_weights);
  EXPECT_EQ(t.optimizer.name, d.optimizer.name);
  EXPECT_DOUBLE_EQ(t.optimizer.lr, d.optimizer.lr);
  EXPECT_DOUBLE_EQ(t.optimizer.momentum, d.optimizer.momentum);
  EXPECT_EQ(t.schedule.name, d.schedule.name);
  EXPECT_EQ(t.schedule.patience, d.schedule.patience);
  EXPECT_DOUBLE_EQ(t.distill.temperature, d.distill.temperature);
  EXPECT_EQ(s.runs[0].tta, std::vector<options::Tta>{options::Tta::none});

  EXPECT_THAT(problems(with("  epochs: 3", "  epochs: 3\n  init: lecun")),
              ElementsAre(HasSubstr("train.init: expected one of: he, xavier, pytorch")));
  for (const std::string& name : options::names_of<options::Init>()) {
    spec::LoadedSpec r = load(with("  epochs: 3", "  epochs: 3\n  init: " + name));
    ASSERT_TRUE(r.problems.empty()) << name;
    EXPECT_EQ(options::name_of(r.runs[0].train.init), name);
  }
  for (const std::string& name : options::names_of<options::Schedule>()) {
    spec::LoadedSpec r = load(with("  epochs: 3", "  epochs: 3\n  schedule: {name: " + name + "}"));
    ASSERT_TRUE(r.problems.empty()) << name;
    EXPECT_EQ(options::name_of(r.runs[0].train.schedule.name), name);
  }
  spec::LoadedSpec r = load(with("  epochs: 3",
                                 "  epochs: 3\n  select_on: val.macro_f1\n"
                                 "  class_weights: balanced") +
                            "evaluate: {tta: [hflip, ten-crop]}\n");
  ASSERT_TRUE(r.problems.empty()) << r.problems.all()[0].text();
  EXPECT_EQ(r.runs[0].train.select_on, options::SelectOn::val_macro_f1);
  EXPECT_EQ(r.runs[0].train.class_weights, options::ClassWeights::balanced);
  EXPECT_EQ(r.runs[0].tta,
            (std::vector<options::Tta>{options::Tta::hflip, options::Tta::ten_crop}));
  EXPECT_EQ(t.distill.sees, options::TeacherSees::augmented);
  r = load(
      with("epochs: 3", "epochs: 3\n  distill: {teacher: [a], sees: original, tta: ten-crop}"));
  ASSERT_TRUE(r.problems.empty()) << r.problems.all()[0].text();
  EXPECT_EQ(r.runs[0].train.distill.sees, options::TeacherSees::original);
  EXPECT_EQ(r.runs[0].train.distill.tta, options::Tta::ten_crop);
}

TEST(Spec, ResolvedSpecIsItselfAValidSpecGivingTheSameRun) {
  spec::LoadedSpec first = load(valid);
  ASSERT_TRUE(first.problems.empty());
  spec::LoadedSpec again = load(first.runs[1].resolved_yaml);
  ASSERT_TRUE(again.problems.empty()) << again.problems.all()[0].text();
  ASSERT_EQ(again.runs.size(), 1u);
  EXPECT_EQ(again.runs[0].resolved_yaml, first.runs[1].resolved_yaml);
}

TEST(Spec, SweepTakesTheCartesianProductTimesSeeds) {
  std::string text = std::string(valid) + R"(sweep:
  model.backbone:
    - {plugin: fixture-net, width: 16}
    - {plugin: fixture-net, activation: elu}
  train.optimizer.lr: [0.1, 0.01, 0.001]
)";
  spec::LoadedSpec s = load(text);
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  ASSERT_EQ(s.runs.size(), 2u * 3u * 2u);
  EXPECT_EQ(s.runs[0].variant, "backbone=fixture-net(width=16),lr=0.1");
  EXPECT_EQ(s.runs[11].variant, "backbone=fixture-net(activation=elu),lr=0.001");
  EXPECT_EQ(s.runs[11].seed, 2);
  EXPECT_EQ(s.runs[11].backbone->params.text("activation"), "elu");
  EXPECT_EQ(s.runs[11].backbone->params.integer("width"), 8);  // the swept value replaced it
  EXPECT_DOUBLE_EQ(s.runs[11].train.optimizer.lr, 0.001);
  for (size_t i = 0; i < s.runs.size(); ++i) EXPECT_EQ(s.runs[i].index, static_cast<int>(i));
}

TEST(Spec, SetOverridesAnyKeyAndEnvironmentVariablesExpand) {
  setenv("FERLAB_TEST_COUNT", "7", 1);
  std::string text = std::string(valid);
  text.replace(text.find("per_class: 2"), 12, "per_class: ${FERLAB_TEST_COUNT}");
  spec::LoadedSpec s = load(text, {"train.epochs=9", "augment.0.max=11", "seeds=[4]",
                                   "train.schedule={name: cosine, warmup_epochs: 2}"});
  unsetenv("FERLAB_TEST_COUNT");
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  ASSERT_EQ(s.runs.size(), 1u);
  EXPECT_EQ(s.runs[0].dataset.params.integer("per_class"), 7);
  EXPECT_EQ(s.runs[0].train.epochs, 9);
  EXPECT_EQ(s.runs[0].augment[0].params.integer("max"), 11);
  EXPECT_EQ(s.runs[0].seed, 4);
  EXPECT_EQ(s.runs[0].train.schedule.name, options::Schedule::cosine);
  EXPECT_EQ(s.runs[0].train.schedule.warmup_epochs, 2);
}

TEST(Spec, ColumnsAfterAnExpandedVariablePointAtTheTextAsWritten) {
  setenv("FERLAB_TEST_PLUGIN", "fixture-add", 1);
  auto found =
      problems(with("{plugin: fixture-add, max: 5}", "{plugin: ${FERLAB_TEST_PLUGIN}, mx: 5}"));
  unsetenv("FERLAB_TEST_PLUGIN");
  EXPECT_THAT(found, ElementsAre("spec.yaml:7:37: augment[0].mx: unknown key 'mx' for augmenter "
                                 "plugin 'fixture-add' (did you mean 'max'?)"));
}

TEST(Spec, ANumberWrittenForANumericChoiceMatchesIt) {
  kernel::LoadDiagnostics d;
  ParamSpec depth = param::choice("depth", "18", {"10", "18", "34"}, "blocks");
  std::string expected;
  auto v = coerce(Value(std::int64_t{34}), depth, expected);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(std::get<std::string>(*v), "34");
  EXPECT_FALSE(coerce(Value(std::int64_t{12}), depth, expected).has_value());
  EXPECT_EQ(expected, "one of: 10, 18, 34");
}

TEST(Spec, EnvironmentDefaultsApplyWhenUnset) {
  unsetenv("FERLAB_TEST_UNSET");
  std::string text = std::string(valid);
  text.replace(text.find("per_class: 2"), 12, "per_class: ${FERLAB_TEST_UNSET:-5}");
  spec::LoadedSpec s = load(text);
  ASSERT_TRUE(s.problems.empty()) << s.problems.all()[0].text();
  EXPECT_EQ(s.runs[0].dataset.params.integer("per_class"), 5);
}

// Each bad spec and the exact problems expected, in order.
struct BadSpec {
  const char* what;
  std::string text;
  std::vector<std::string> overrides;
  std::vector<std::string> expected;
};

void PrintTo(const BadSpec& bad, std::ostream* os) { *os << bad.what; }

class BadSpecs : public testing::TestWithParam<BadSpec> {};

TEST_P(BadSpecs, ReportExactProblems) {
  EXPECT_EQ(problems(GetParam().text, GetParam().overrides), GetParam().expected);
  EXPECT_TRUE(load(GetParam().text, GetParam().overrides).runs.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadSpecs,
    testing::Values(
        BadSpec{"misspelled plugin parameter",
                with("max: 5", "mx: 5"),
                {},
                {"spec.yaml:7:27: augment[0].mx: unknown key 'mx' for augmenter plugin "
                 "'fixture-add' (did you mean 'max'?)"}},
        BadSpec{"value out of range",
                with("max: 5", "max: 300"),
                {},
                {"spec.yaml:7:32: augment[0].max: expected an integer in [0, 255], got '300'"}},
        BadSpec{"wrong type",
                with("epochs: 3", "epochs: ten"),
                {},
                {"spec.yaml:11:11: train.epochs: expected an integer in [1, 100000], got 'ten'"}},
        BadSpec{"unknown plugin",
                with("fixture-add,", "fixture-ad,"),
                {},
                {"spec.yaml:7:14: augment[0].plugin: unknown augmenter plugin 'fixture-ad' "
                 "(did you mean 'fixture-add'?) (known: fixture-add; plugins outside ferlab's own "
                 "folder are found with --plugin-path DIR or FERLAB_PLUGIN_PATH)"}},
        BadSpec{"misspelled section",
                with("train:", "trian:"),
                {},
                {"spec.yaml:10:1: trian: unknown key 'trian' (did you mean 'train'?)"}},
        BadSpec{"bad choice",
                with("name: sgd", "name: sgdd"),
                {},
                {"spec.yaml:12:21: train.optimizer.name: expected one of: sgd, adam, adamw, got "
                 "'sgdd'"}},
        BadSpec{"teacher TTA on the student's batches",
                with("epochs: 3", "epochs: 3\n  distill: {teacher: [a], tta: hflip}"),
                {},
                {"spec.yaml:12:32: train.distill.tta: a teacher's TTA needs 'sees: original' "
                 "(teachers that see the student's augmented batches take them as they are)"}},
        BadSpec{"unknown test-time augmentation",
                std::string(valid) + "evaluate: {tta: [none, five-crop]}\n",
                {},
                {"spec.yaml:13:17: evaluate.tta: expected a list of: none, hflip, ten-crop, got "
                 "a list"}},
        BadSpec{"missing dataset",
                with("dataset: {plugin: fixture-dataset, per_class: 2}\n", ""),
                {},
                {"spec.yaml:1:1: dataset: missing required key 'dataset'"}},
        BadSpec{"missing model",
                with("model:\n  backbone: {plugin: fixture-net, width: 16}\n", ""),
                {},
                {"spec.yaml:1:1: model: missing required key 'backbone' (or 'layers')"}},
        BadSpec{"all problems at once",
                with("epochs: 3", "epochs: 0", with("max: 5", "mx: 5")),
                {},
                {"spec.yaml:7:27: augment[0].mx: unknown key 'mx' for augmenter plugin "
                 "'fixture-add' (did you mean 'max'?)",
                 "spec.yaml:11:11: train.epochs: expected an integer in [1, 100000], got '0'"}},
        BadSpec{"bad override value",
                valid,
                {"train.epochs=many"},
                {"--set train.epochs=many: train.epochs: expected an integer in [1, 100000], got "
                 "'many'"}},
        BadSpec{"override of an unknown key",
                valid,
                {"train.epoch=5"},
                {"--set train.epoch=5: train.epoch: --set names unknown key 'epoch' (did you "
                 "mean 'epochs'?)"}},
        BadSpec{"sweep over an unknown key",
                std::string(valid) + "sweep:\n  model.backbon: [{plugin: fixture-net}]\n",
                {},
                {"spec.yaml:14:3: model.backbon: sweep key names unknown key 'backbon' (did you "
                 "mean 'backbone'?)"}},
        BadSpec{"unset environment variable",
                with("per_class: 2", "per_class: ${FERLAB_NOPE}"),
                {},
                {"spec.yaml:3:47: environment variable 'FERLAB_NOPE' is not set (write "
                 "${FERLAB_NOPE:-default} to give a default)"}},
        BadSpec{"invalid YAML",
                with("epochs: 3", "epochs: [3"),
                {},
                {"spec.yaml:12:12: invalid YAML: end of sequence flow not found"}},
        BadSpec{"repeated key",
                with("epochs: 3", "epochs: 3\n  epochs: 5"),
                {},
                {"spec.yaml:12:3: invalid YAML: key 'epochs' appears twice in one map (first at "
                 "line 11); each key may be given once"}}),
    [](const testing::TestParamInfo<BadSpec>& info) {
      std::string name = info.param.what;
      for (char& c : name)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });
