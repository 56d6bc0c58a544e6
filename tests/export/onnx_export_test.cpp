// ONNX export parity: networks of every backbone and of every layer type, with random weights
// and running statistics, exported and run by OpenCV DNN (an independent implementation of
// each operator) give ferlab's inference outputs within 1e-4. ONNX's own checker validates
// every model first.
#include <gmock/gmock.h>
#include <onnx/checker.h>

#include <cmath>
#include <cstring>
#include <opencv2/dnn.hpp>

#include "../engine/engine_fixture.hpp"
#include "export_onnx/onnx_writer.hpp"

namespace ferlab::test {
namespace {

constexpr double tolerance = 1e-4;

std::vector<float> random_images(std::size_t count, std::uint64_t seed) {
  Rng rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(count);
  for (float& v : x) v = u(rng);
  return x;
}

// Random weights of He scale, biases, batchnorm scales and shifts away from their defaults;
// running statistics first gathered by training-mode passes over random images (so batchnorm
// keeps activations in range through deep networks, as in a trained one), then perturbed per
// channel so that they are not exactly what any batch gives. A wrongly ordered or ignored
// tensor changes the outputs.
void randomize(engine::Network& network, std::uint64_t seed) {
  Rng rng(seed);
  auto uniform = [&rng](double lo, double hi) {
    return static_cast<float>(std::uniform_real_distribution<double>(lo, hi)(rng));
  };
  auto each_value = [&network](const auto& set) {
    for (const auto& [name, p] : network.named_parameters()) {
      float* v = static_cast<float*>(p->value.get_data_handle());
      const std::size_t n = p->value.get_desc().get_size() / sizeof(float);
      for (std::size_t i = 0; i < n; ++i) set(*p, v[i]);
    }
  };
  each_value([&](const Parameter& p, float& v) {
    const double he = p.fan_in > 0 ? std::sqrt(6.0 / static_cast<double>(p.fan_in)) : 0;
    if (p.name == "weights") v = uniform(-he, he);
    if (p.name == "bias" || p.name == "shift") v = uniform(-0.2, 0.2);
    if (p.name == "scale") v = uniform(0.5, 1.5);
  });
  const int batch = 8;
  const InputShape& s = network.input_shape();
  network.prepare(batch);
  for (int pass = 0; pass < 30; ++pass) {
    const auto images = random_images(
        static_cast<std::size_t>(batch) * s.channels * s.height * s.width, seed + pass);
    std::copy(images.begin(), images.end(), network.input());
    network.forward(engine::Pass::training);
  }
  each_value([&](const Parameter& p, float& v) {
    if (p.name == "running_mean") v += uniform(-0.1, 0.1);
    if (p.name == "running_var") v *= uniform(0.8, 1.25);
  });
  network.parameters_changed();
}

// Logits as ferlab computes them in an inference pass.
std::vector<float> ferlab_logits(engine::Network& network, const std::vector<float>& images,
                                 int batch) {
  network.prepare(batch);
  std::copy(images.begin(), images.end(), network.input());
  const float* out = network.forward(engine::Pass::inference);
  return {out, out + static_cast<std::ptrdiff_t>(batch) * network.output_size()};
}

// Row-wise softmax in double: the reference for the "probabilities" output.
std::vector<float> softmax_rows(const std::vector<float>& logits, int classes) {
  std::vector<float> p(logits.size());
  for (std::size_t r = 0; r < logits.size(); r += classes) {
    const float top = *std::max_element(logits.begin() + r, logits.begin() + r + classes);
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(logits[r + c] - top));
    for (int c = 0; c < classes; ++c)
      p[r + c] = static_cast<float>(std::exp(static_cast<double>(logits[r + c] - top)) / sum);
  }
  return p;
}

double max_abs_diff(const cv::Mat& actual, const std::vector<float>& expected) {
  EXPECT_EQ(actual.total(), expected.size());
  if (actual.total() != expected.size()) return INFINITY;
  double worst = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double diff = std::abs(static_cast<double>(actual.ptr<float>()[i]) - expected[i]);
    if (std::isnan(diff)) return INFINITY;  // std::max would drop it
    worst = std::max(worst, diff);
  }
  return worst;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::abs(static_cast<double>(x)));
  return m;
}

onnx::ModelProto parse(const std::string& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  return model;
}

// Exports the network, checks the model with ONNX's checker and runs it in OpenCV DNN at
// batch 1 and 3: logits and probabilities within the tolerance of ferlab's.
void expect_parity(engine::Network& network, const std::string& what) {
  randomize(network, 17);
  const std::string bytes = export_onnx::onnx_model(network);
  onnx::ModelProto model = parse(bytes);
  ASSERT_NO_THROW(onnx::checker::check_model(model)) << what;

  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  const InputShape& s = network.input_shape();
  for (int batch : {1, 3}) {
    const auto images = random_images(
        static_cast<std::size_t>(batch) * s.channels * s.height * s.width, 100 + batch);
    const std::vector<float> logits = ferlab_logits(network, images, batch);
    const int sizes[] = {batch, s.channels, s.height, s.width};
    cv::Mat blob(4, sizes, CV_32F, const_cast<float*>(images.data()));
    net.setInput(blob, "input");
    std::vector<cv::Mat> outs;
    net.forward(outs, std::vector<cv::String>{"logits", "probabilities"});
    ASSERT_EQ(outs.size(), 2u);
    const double logit_diff = max_abs_diff(outs[0], logits);
    const double prob_diff = max_abs_diff(outs[1], softmax_rows(logits, network.output_size()));
    std::printf(
        "[ parity   ] %-14s batch %d: max |logit| %.3f, max abs diff logits %.2e, "
        "probabilities %.2e\n",
        what.c_str(), batch, max_abs(logits), logit_diff, prob_diff);
    // Logits near zero would make the comparison say little.
    EXPECT_GT(max_abs(logits), 0.1) << what;
    EXPECT_LE(logit_diff, tolerance) << what << " batch " << batch;
    EXPECT_LE(prob_diff, tolerance) << what << " batch " << batch;
  }
}

std::unique_ptr<engine::Network> network_of(const NetworkDef& def, const InputShape& shape) {
  static const engine::LayerFactory factory = assembly::catalog_layer_factory(catalog());
  return std::make_unique<engine::Network>(def, factory, shape);
}

void expect_backbone_parity(const std::string& backbone, const Overrides& overrides) {
  const InputShape shape{1, 48, 48};
  auto network = network_of(backbone_def(backbone, overrides, shape, 7), shape);
  expect_parity(*network, backbone);
}

TEST(OnnxExport, SeedCnnMatchesOpenCv) {
  expect_backbone_parity(
      "seed-cnn", {{"widths", std::vector<std::int64_t>{8, 16, 16}}, {"dense", std::int64_t{32}}});
}

TEST(OnnxExport, VggMatchesOpenCv) {
  expect_backbone_parity("vgg", {{"widths", std::vector<std::int64_t>{8, 16}},
                                 {"dense", std::vector<std::int64_t>{32}},
                                 {"activation", std::string("elu")}});
}

TEST(OnnxExport, ResnetMatchesOpenCv) {
  expect_backbone_parity("resnet", {{"depth", std::string("10")},
                                    {"width", std::int64_t{8}},
                                    {"activation", std::string("leaky-relu")}});
}

TEST(OnnxExport, MobilenetMatchesOpenCv) {
  expect_backbone_parity(
      "mobilenet",
      {{"width", 0.25}, {"head", std::int64_t{32}}, {"activation", std::string("swish")}});
}

TEST(OnnxExport, MiniXceptionMatchesOpenCv) {
  expect_backbone_parity("mini-xception", {{"stem", std::int64_t{4}},
                                           {"widths", std::vector<std::int64_t>{8, 16}},
                                           {"activation", std::string("gelu")}});
}

LayerDef layer(std::string name, std::string type, Overrides params = {},
               std::vector<std::string> inputs = {}) {
  return {std::move(name), std::move(type), std::move(inputs), Params(std::move(params))};
}

// Every layer type and activation with parameters away from their defaults: strided,
// dilated, grouped, depthwise and bias-free convolutions, padded pooling, a three-way add, a
// channel concat, batchnorm on maps and on vectors, dense on a map, and dropout as the last
// layer; three channels and a non-square input.
TEST(OnnxExport, EveryLayerTypeMatchesOpenCv) {
  using I = std::int64_t;
  const NetworkDef def{{
      layer("c1", "convolution", {{"filters", I{8}}, {"padding", I{1}}}),
      layer("bn1", "batchnorm", {{"epsilon", 1e-3}}),
      layer("a1", "leaky-relu", {{"slope", 0.2}}),
      layer("c2", "convolution",
            {{"filters", I{8}},
             {"stride", I{2}},
             {"padding", I{2}},
             {"dilation", I{2}},
             {"groups", I{2}},
             {"bias", false}}),
      layer("a2", "elu", {{"alpha", 0.7}}),
      layer("dw", "convolution", {{"depthwise", true}, {"filters", I{8}}, {"padding", I{1}}}),
      layer("a3", "gelu"),
      layer("pw", "convolution", {{"filters", I{8}}, {"kernel", I{1}}}, {"a2"}),
      layer("a4", "gelu", {{"approximation", std::string("tanh")}}),
      layer("sum", "add", {}, {"a3", "a4", "a2"}),
      layer("p1", "max-pool", {{"kernel", I{3}}, {"stride", I{2}}, {"padding", I{1}}}),
      layer("a5", "swish", {{"beta", 1.5}}),
      layer("avg", "avg-pool", {{"kernel", I{3}}, {"stride", I{1}}, {"padding", I{1}}}),
      layer("a6", "swish"),
      layer("c3", "convolution", {{"filters", I{4}}, {"kernel", I{1}}}, {"a5"}),
      layer("a7", "tanh"),
      layer("cat", "concat", {}, {"a6", "a7"}),
      layer("a8", "sigmoid"),
      layer("gap", "global-avg-pool"),
      layer("flat", "flatten"),
      layer("d0", "dense", {{"units", I{16}}}, {"a8"}),
      layer("cat2", "concat", {}, {"flat", "d0"}),
      layer("bn2", "batchnorm"),
      layer("a9", "relu"),
      layer("drop", "dropout", {{"rate", 0.3}}),
      layer("d1", "dense", {{"units", I{7}}, {"bias", false}}),
      layer("drop2", "dropout"),
  }};
  auto network = network_of(def, InputShape{3, 40, 36});
  expect_parity(*network, "every-layer");
}

// A network trained with bf16 convolutions (the FER2013 recipes) keeps f32 weights; the ONNX
// graph is f32 and computes what the same weights give in ferlab's f32 network (within the
// usual 1e-4). Against ferlab's own bf16 inference it differs by bf16 rounding of inputs and
// weights: probabilities within 2e-2 (measured here: a few 1e-3).
TEST(OnnxExport, Bf16NetworkExportsItsF32Function) {
  const InputShape shape{1, 48, 48};
  const Overrides vgg{{"widths", std::vector<std::int64_t>{8, 16}},
                      {"dense", std::vector<std::int64_t>{32}}};
  Overrides with_bf16 = vgg;
  with_bf16["conv_precision"] = std::string("bf16");
  std::unique_ptr<engine::Network> bf16;
  try {
    bf16 = network_of(backbone_def("vgg", with_bf16, shape, 7), shape);
    bf16->prepare(1);
  } catch (const std::invalid_argument& e) {
    GTEST_SKIP() << "no bf16 convolutions on this CPU: " << e.what();
  }
  randomize(*bf16, 23);
  auto f32 = network_of(backbone_def("vgg", vgg, shape, 7), shape);
  auto source = bf16->named_parameters();
  for (const auto& [name, p] : f32->named_parameters()) {
    auto it =
        std::find_if(source.begin(), source.end(), [&](const auto& s) { return s.first == name; });
    ASSERT_NE(it, source.end()) << name;
    const std::size_t bytes = p->value.get_desc().get_size();
    std::memcpy(p->value.get_data_handle(), it->second->value.get_data_handle(), bytes);
  }
  f32->parameters_changed();
  const std::string bytes = export_onnx::onnx_model(*bf16);
  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  const int batch = 3;
  const auto images = random_images(static_cast<std::size_t>(batch) * 48 * 48, 29);
  const int sizes[] = {batch, 1, 48, 48};
  net.setInput(cv::Mat(4, sizes, CV_32F, const_cast<float*>(images.data())), "input");
  std::vector<cv::Mat> outs;
  net.forward(outs, std::vector<cv::String>{"logits", "probabilities"});
  ASSERT_EQ(outs.size(), 2u);
  const auto f32_logits = ferlab_logits(*f32, images, batch);
  EXPECT_GT(max_abs(f32_logits), 0.1);
  EXPECT_LE(max_abs_diff(outs[0], f32_logits), tolerance);
  const auto bf16_probabilities = softmax_rows(ferlab_logits(*bf16, images, batch), 7);
  const double diff = max_abs_diff(outs[1], bf16_probabilities);
  std::printf("[ parity   ] bf16 vgg: max abs diff of probabilities to ferlab bf16 %.2e\n", diff);
  EXPECT_LE(diff, 2e-2);
  EXPECT_GT(diff, 0.0) << "bf16 rounding should show";
}

// An ensemble of two different networks (the second ends in dropout, a pass-through) in one
// graph: OpenCV DNN's "probabilities" are the mean of the members' softmax as ferlab computes
// each member alone, and "logits" their logarithm.
TEST(OnnxExport, EnsembleIsTheMeanOfItsMembersInOpenCv) {
  const InputShape shape{1, 48, 48};
  auto a = network_of(
      backbone_def("seed-cnn",
                   {{"widths", std::vector<std::int64_t>{8, 16}}, {"dense", std::int64_t{32}}},
                   shape, 7),
      shape);
  auto b = network_of(backbone_def("vgg",
                                   {{"widths", std::vector<std::int64_t>{8, 16}},
                                    {"dense", std::vector<std::int64_t>{32}}},
                                   shape, 7),
                      shape);
  randomize(*a, 5);
  randomize(*b, 6);
  const std::string bytes = export_onnx::onnx_model({a.get(), b.get()});
  onnx::ModelProto model = parse(bytes);
  ASSERT_NO_THROW(onnx::checker::check_model(model));
  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  const int batch = 3;
  const auto images = random_images(static_cast<std::size_t>(batch) * 48 * 48, 41);
  const auto pa = softmax_rows(ferlab_logits(*a, images, batch), 7);
  const auto pb = softmax_rows(ferlab_logits(*b, images, batch), 7);
  std::vector<float> mean(pa.size()), log_mean(pa.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    mean[i] = (pa[i] + pb[i]) / 2;
    log_mean[i] = std::log(mean[i]);
  }
  // The members disagree enough for the mean to differ from either of them.
  EXPECT_GT(max_abs_diff(cv::Mat(pa, true), pb), 0.05);
  const int sizes[] = {batch, 1, 48, 48};
  net.setInput(cv::Mat(4, sizes, CV_32F, const_cast<float*>(images.data())), "input");
  std::vector<cv::Mat> outs;
  net.forward(outs, std::vector<cv::String>{"logits", "probabilities"});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_LE(max_abs_diff(outs[1], mean), tolerance);
  EXPECT_LE(max_abs_diff(outs[0], log_mean), 1e-3);
}

TEST(OnnxExport, ModelCarriesOpsetInputOutputsAndMetadata) {
  const InputShape shape{1, 48, 48};
  auto network = network_of(
      backbone_def("seed-cnn", {{"widths", std::vector<std::int64_t>{4}}}, shape, 5), shape);
  const onnx::ModelProto model =
      parse(export_onnx::onnx_model(*network, {{{"classes", "a,b,c,d,e"}, {"spec", "name: x"}}}));
  ASSERT_EQ(model.opset_import_size(), 1);
  EXPECT_EQ(model.opset_import(0).version(), 11);
  const onnx::GraphProto& g = model.graph();
  ASSERT_EQ(g.input_size(), 1);
  EXPECT_EQ(g.input(0).name(), "input");
  const auto& dims = g.input(0).type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), 4);
  EXPECT_EQ(dims[0].dim_param(), "N");
  EXPECT_EQ(dims[1].dim_value(), 1);
  EXPECT_EQ(dims[2].dim_value(), 48);
  EXPECT_EQ(dims[3].dim_value(), 48);
  ASSERT_EQ(g.output_size(), 2);
  EXPECT_EQ(g.output(0).name(), "logits");
  EXPECT_EQ(g.output(1).name(), "probabilities");
  EXPECT_EQ(g.output(1).type().tensor_type().shape().dim(1).dim_value(), 5);
  std::map<std::string, std::string> metadata;
  for (const auto& entry : model.metadata_props()) metadata[entry.key()] = entry.value();
  EXPECT_EQ(metadata["classes"], "a,b,c,d,e");
  EXPECT_EQ(metadata["spec"], "name: x");
}

// ferlab's avg-pool leaves padding out of the mean. OpenCV 4.6 reads AveragePool that way
// whatever count_include_pad says, so parity cannot see this: the model must say it (ONNX's
// default is 0, but other runtimes are then free of doubt).
TEST(OnnxExport, AveragePoolLeavesPaddingOut) {
  const NetworkDef def{
      {layer("avg", "avg-pool", {{"kernel", std::int64_t{3}}, {"padding", std::int64_t{1}}}),
       layer("d", "dense", {{"units", std::int64_t{2}}})}};
  auto network = network_of(def, InputShape{1, 6, 6});
  const onnx::ModelProto model = parse(export_onnx::onnx_model(*network));
  int pools = 0;
  for (const auto& node : model.graph().node()) {
    if (node.op_type() != "AveragePool") continue;
    ++pools;
    std::map<std::string, std::int64_t> ints;
    for (const auto& a : node.attribute()) ints[a.name()] = a.i();
    EXPECT_EQ(ints.count("count_include_pad"), 1u);
    EXPECT_EQ(ints["count_include_pad"], 0);
  }
  EXPECT_EQ(pools, 1);
}

// A layer written as a contributor would, outside the built-in plugins: y = factor * x * x with
// plain loops (element-wise with f(0) = 0, so any layout will do), its ONNX nodes written
// through the SDK hook Layer::export_onnx, or none when `exportable` is false. Inference only.
class SquareLayer final : public Layer {
 public:
  SquareLayer(float factor, bool exportable) : factor_(factor), exportable_(exportable) {}
  dnnl::memory::desc setup(const std::vector<dnnl::memory::desc>& inputs, LayerContext&) override {
    return inputs.at(0);
  }
  void forward(const std::vector<dnnl::memory>& inputs, const dnnl::memory& output,
               LayerContext& context) override {
    context.stream.wait();
    const auto* x = static_cast<const float*>(inputs[0].get_data_handle());
    auto* y = static_cast<float*>(output.get_data_handle());
    for (std::size_t i = 0, n = output.get_desc().get_size() / sizeof(float); i < n; ++i)
      y[i] = factor_ * x[i] * x[i];
  }
  void backward(const std::vector<dnnl::memory>&, const dnnl::memory&, const dnnl::memory&,
                const std::vector<dnnl::memory>&, LayerContext&) override {
    throw std::logic_error("SquareLayer is for inference only");
  }
  std::string export_onnx(const OnnxLayer& onnx) const override {
    if (!exportable_) return Layer::export_onnx(onnx);
    const std::string squared = onnx.node("Mul", {onnx.input(), onnx.input()});
    return onnx.node("Mul", {squared, onnx.scalar("factor", factor_)}, {}, onnx.output());
  }

 private:
  float factor_;
  bool exportable_;
};

engine::LayerFactory with_square_layers() {
  static const engine::LayerFactory plugins = assembly::catalog_layer_factory(catalog());
  return [](const LayerDef& def) -> std::shared_ptr<Layer> {
    if (def.type == "square") return std::make_shared<SquareLayer>(1.5f, true);
    if (def.type == "square-no-onnx") return std::make_shared<SquareLayer>(1.5f, false);
    return plugins(def);
  };
}

NetworkDef around(const std::string& middle_type) {
  return NetworkDef{{layer("c1", "convolution", {{"filters", std::int64_t{4}}}),
                     layer("odd", middle_type), layer("d", "dense", {{"units", std::int64_t{3}}})}};
}

// The hook is the exporter's only way in: a layer it has never heard of exports, and OpenCV
// DNN computes what ferlab computes.
TEST(OnnxExport, LayerOutsideTheTreeExportsThroughTheSdkHook) {
  engine::Network network(around("square"), with_square_layers(), InputShape{1, 8, 8});
  expect_parity(network, "square layer");
  const onnx::ModelProto model = parse(export_onnx::onnx_model(network));
  int muls = 0;
  for (const onnx::NodeProto& node : model.graph().node()) muls += node.op_type() == "Mul";
  EXPECT_EQ(muls, 2);
}

// A layer whose plugin writes no nodes is refused with its name and type, and the refusal
// says what the plugin lacks.
TEST(OnnxExport, LayerWithoutTheHookIsNamed) {
  engine::Network network(around("square-no-onnx"), with_square_layers(), InputShape{1, 8, 8});
  try {
    export_onnx::onnx_model(network);
    FAIL() << "exported a layer that writes no ONNX nodes";
  } catch (const export_onnx::UnsupportedLayer& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("layer 'odd' of type 'square-no-onnx'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Layer::export_onnx"));
  }
}

TEST(OnnxExport, NetworkNotEndingInClassScoresIsRefused) {
  const NetworkDef def{{layer("c1", "convolution", {{"filters", std::int64_t{4}}})}};
  auto network = network_of(def, InputShape{1, 8, 8});
  EXPECT_THROW(export_onnx::onnx_model(*network), std::invalid_argument);
}

}  // namespace
}  // namespace ferlab::test
