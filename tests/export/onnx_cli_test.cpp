// `ferlab export --model RUN --onnx FILE` as a user runs it: a model trained for one epoch on
// synthetic faces, exported, read by OpenCV DNN, gives the checkpoint's outputs within 1e-4
// and carries its class names; the metrics export still works beside it.
#include <gmock/gmock.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>

#include "../support/process.hpp"
#include "../support/temp_dir.hpp"
#include "assembly/model_bundle.hpp"
#include "engine/threads.hpp"

namespace fs = std::filesystem;
using testing::HasSubstr;

namespace {

const char* spec_text = R"(name: onnx-cli
seeds: [1]
dataset: {plugin: synthetic-faces, seed: 3, size: 16, train_count: 56, val_count: 28, test_count: 28}
model:
  layers:
    - {type: convolution, name: c1, filters: 4, kernel: 3, padding: 1}
    - {type: batchnorm}
    - {type: relu}
    - {type: max-pool, kernel: 4}
    - {type: flatten}
    - {type: dense, units: 7}
train: {epochs: 1, batch: 8, optimizer: {name: adam, lr: 0.001}}
evaluate: {splits: [val]}
)";

using ferlab::testing_support::run_ferlab;

TEST(OnnxCli, ExportedRunMatchesItsCheckpointInOpenCv) {
  const ferlab::testing_support::TempDir temp_dir("onnx-cli");
  const fs::path dir = temp_dir.path();
  std::ofstream(dir / "spec.yaml") << spec_text;
  const std::string db = (dir / "runs.db").string(), onnx_file = (dir / "model.onnx").string();
  auto r = run_ferlab("run " + (dir / "spec.yaml").string() + " --db " + db + " --threads 1");
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_ferlab("export --model 1 --db " + db + " --onnx " + onnx_file);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote " + onnx_file));

  // The reference: the same checkpoint run by ferlab.
  ferlab::engine::set_threads(1);
  ferlab::kernel::LoadDiagnostics diagnostics;
  const auto catalog =
      ferlab::kernel::PluginCatalog::load({FERLAB_BINARY_DIR "/lib/ferlab/plugins"}, diagnostics);
  ferlab::assembly::ModelBundle model = ferlab::assembly::load_model(catalog, "1", db);
  const int batch = 2, classes = static_cast<int>(model.classes.size());
  const int sizes[] = {batch, model.shape.channels, model.shape.height, model.shape.width};
  cv::Mat images(4, sizes, CV_32F);
  cv::randu(images, 0.f, 1.f);
  model.network->prepare(batch);
  std::copy_n(images.ptr<float>(), images.total(), model.network->input());
  const float* logits = model.network->forward(ferlab::engine::Pass::inference);

  cv::dnn::Net net = cv::dnn::readNetFromONNX(onnx_file);
  net.setInput(images, "input");
  const cv::Mat out = net.forward("logits");
  ASSERT_EQ(out.total(), static_cast<std::size_t>(batch * classes));
  double worst = 0;
  for (int i = 0; i < batch * classes; ++i)
    worst = std::max(worst, std::abs(static_cast<double>(out.ptr<float>()[i]) - logits[i]));
  EXPECT_LE(worst, 1e-4);

  onnx::ModelProto proto;
  std::ifstream in(onnx_file, std::ios::binary);
  ASSERT_TRUE(proto.ParseFromIstream(&in));
  std::map<std::string, std::string> metadata;
  for (const auto& e : proto.metadata_props()) metadata[e.key()] = e.value();
  EXPECT_EQ(nlohmann::json::parse(metadata["classes"]).get<std::vector<std::string>>(),
            model.classes);
  EXPECT_THAT(metadata["spec"], HasSubstr("onnx-cli"));

  r = run_ferlab("export --csv --db " + db);  // the metrics export is unchanged
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("run,experiment,variant,seed,status"));
  r = run_ferlab("export --model 9 --db " + db + " --onnx " + onnx_file);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("run 9"));
  r = run_ferlab("export --db " + db);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.err, HasSubstr("--csv, or --model with --onnx"));
}

}  // namespace
