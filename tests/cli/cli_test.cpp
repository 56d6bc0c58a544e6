// The ferlab command line, run as a user runs it: exit codes, messages and machine output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ferlab/abi.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/process.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace {

using Output = ferlab::testing_support::CommandOutput;

using ferlab::testing_support::run_ferlab;

fs::path write_spec(const std::string& name, const std::string& text) {
  fs::path file = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << text;
  return file;
}

}  // namespace

// `check --build` builds the networks on the data: errors the schema cannot see (outputs that
// are not one per class, a layer given two inputs where it takes one) come before `run`, while
// plain `check` still passes such a spec (it reads no data).
TEST(Cli, CheckBuildFindsNetworkErrorsBeforeRun) {
  const std::string head = R"(name: shapes
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 14, val_count: 7, test_count: 7}
preprocess:
  - {plugin: resize, size: 12}
model:
  layers:
    - {type: convolution, name: c1, filters: 4, kernel: 3, padding: 1}
    - {type: relu, name: r1}
)";
  const fs::path good = write_spec("check-build-good", head + R"(    - {type: flatten}
    - {type: dense, units: 7}
)");
  const fs::path outputs = write_spec("check-build-outputs", head + R"(    - {type: flatten}
    - {type: dense, units: 3}
)");
  const fs::path inputs =
      write_spec("check-build-inputs", head + R"(    - {type: flatten, inputs: [c1, r1]}
    - {type: dense, units: 7}
)");
  for (const fs::path& spec : {good, outputs, inputs})
    EXPECT_EQ(run_ferlab("check " + spec.string()).status, 0) << spec;
  Output r = run_ferlab("check --build " + good.string());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("every network built"));
  r = run_ferlab("check --build " + outputs.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(outputs.string() + ": run 1/1: model: the network ends in 3 outputs "
                                                  "but the dataset has 7 classes"));
  r = run_ferlab("check --build " + inputs.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("run 1/1: model:"));
  EXPECT_THAT(r.err, HasSubstr("1 network cannot be built"));
  for (const fs::path& spec : {good, outputs, inputs}) fs::remove(spec);
}

TEST(Cli, PluginsJsonParsesAndListsEveryKindWithItsSchema) {
  Output r = run_ferlab("plugins --json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json plugins = nlohmann::json::parse(r.out);
  std::set<std::string> kinds;
  for (const auto& p : plugins) {
    kinds.insert(p["kind"].get<std::string>());
    for (const char* field : {"name", "version", "file", "params"}) EXPECT_TRUE(p.contains(field));
    EXPECT_TRUE(fs::exists(p["file"].get<std::string>()));
  }
  EXPECT_EQ(kinds,
            (std::set<std::string>{"dataset", "preprocessor", "augmenter", "layer", "backbone"}));
}

TEST(Cli, PluginsFiltersByKind) {
  Output r = run_ferlab("plugins --kind backbone --json");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& p : nlohmann::json::parse(r.out)) EXPECT_EQ(p["kind"], "backbone");
}

TEST(Cli, CheckExitsTwoOnAMisspelledKeyWithLocationAndSuggestion) {
  fs::path spec = write_spec("typo", R"(name: typo
dataset: {plugin: synthetic-faces}
augment:
  - {plugin: rotate, degres: 10}
model: {backbone: {plugin: seed-cnn}}
)");
  Output r = run_ferlab("check " + spec.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err,
              HasSubstr(spec.string() + ":4:22: augment[0].degres: unknown key 'degres' "
                                        "for augmenter plugin 'rotate' (did you mean 'degrees'?)"));
  EXPECT_THAT(r.err, HasSubstr("1 problem found; nothing was run"));
  fs::remove(spec);
}

TEST(Cli, CheckExitsZeroAndPrintsTheResolvedSpec) {
  Output r = run_ferlab("check " FERLAB_SOURCE_DIR "/experiments/quickstart.yaml");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("# run 1/1: seed 1"));
  EXPECT_THAT(r.out, HasSubstr("select_on: val.accuracy"));
}

TEST(Cli, GraphDotShowsSharedPreprocessing) {
  Output r = run_ferlab("graph " FERLAB_SOURCE_DIR "/experiments/synthetic-sweep.yaml --dot");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("digraph G {"));
  EXPECT_THAT(r.out, HasSubstr("preprocess\\nhist-eq\\n(shared by 8 runs)"));
  EXPECT_THAT(r.out, HasSubstr("(shared by 4 runs)"));
}

TEST(Cli, UnknownPluginPathIsHarmlessButAWrongAbiLibraryIsAnError) {
  Output fine = run_ferlab("--plugin-path /nonexistent plugins --kind dataset");
  EXPECT_EQ(fine.status, 0) << fine.err;
  Output refused =
      run_ferlab("--plugin-path " FERLAB_BINARY_DIR "/tests/fixtures/wrong_abi plugins");
  EXPECT_EQ(refused.status, 1);
  // The fixture claims FERLAB_ABI_VERSION + 41.
  EXPECT_THAT(refused.err,
              HasSubstr("libfixture_wrong_abi.so: refused, built for ferlab plugin ABI version " +
                        std::to_string(FERLAB_ABI_VERSION + 41) + ", this ferlab expects version " +
                        std::to_string(FERLAB_ABI_VERSION)));
}

TEST(Cli, RunRefusesAnUnwritableDatabaseBeforeTraining) {
  Output r = run_ferlab("run " FERLAB_SOURCE_DIR
                        "/experiments/quickstart.yaml --db /nonexistent/dir/x.db");
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/dir/x.db: cannot open the run database"));
  EXPECT_THAT(r.err, testing::Not(HasSubstr("epoch")));
}

TEST(Cli, ModelShowsTheLayerTableWithTheReferenceSizes) {
  // Reference sizes from the seed-cnn and vgg definitions (issue 3), computed by hand.
  fs::path spec = write_spec("model", R"(name: sizes
dataset: {plugin: synthetic-faces}
model: {backbone: {plugin: seed-cnn}}
sweep:
  model.backbone: [{plugin: seed-cnn}, {plugin: vgg}]
)");
  Output r = run_ferlab("model " + spec.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("backbone=seed-cnn: backbone seed-cnn on 1x48x48:"));
  EXPECT_THAT(r.out, HasSubstr("total: 1,274,375 parameters, 23.1M MACs per image"));
  EXPECT_THAT(r.out, HasSubstr("total: 10,464,455 parameters, 474.2M MACs per image"));
  EXPECT_THAT(r.out, testing::ContainsRegex("flatten +flatten +4608 "));
  fs::remove(spec);
}
