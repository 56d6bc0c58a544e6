// The whole seed-cnn (relu, max-pool, dense; dropout off) trained for two steps with Adam and
// with SGD momentum, against PyTorch on identical numbers: logits, loss, every parameter
// gradient and every parameter update, on two successive batches with an inference pass in
// between (gradients overwritten, not accumulated; optimizer state carried; no stale buffers).
//
// Weights, biases and images come from a closed-form hash, so PyTorch can rebuild them
// exactly. The reference numbers below were produced with PyTorch 1.13 (Debian's
// python3-torch) in float64 by this script, and pasted here (the test does not need torch):
//
//   import numpy as np, torch, torch.nn as nn
//   torch.set_default_dtype(torch.float64)
//   def f32(a): return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)
//   def uniform(i, salt):
//       return ((np.asarray(i, dtype=np.uint64) * np.uint64(2654435761) + np.uint64(salt))
//               % np.uint64(4294967296)).astype(np.float64) / 4294967296.0 - 0.5
//   def weight_value(k, i, fan_in):
//       return np.sqrt(2.0 / fan_in) * np.sqrt(12.0) * uniform(i, 1000003 * (k + 1))
//   def bias_value(k, i): return 0.2 * uniform(i, 1000003 * (k + 1))
//   def coeff(i): return ((i * 7919) % 1000) / 1000.0 - 0.5
//   def image(b, n):
//       return 0.5 + uniform(np.arange(48 * 48) + 48 * 48 * n, 7777 + 99991 * b).reshape(48, 48)
//   labels = [[3, 0, 6, 2], [1, 5, 4, 3]]
//   def build():
//       net = nn.Sequential(nn.Conv2d(1,16,3,padding=1), nn.ReLU(), nn.MaxPool2d(2),
//           nn.Conv2d(16,32,3,padding=1), nn.ReLU(), nn.MaxPool2d(2),
//           nn.Conv2d(32,64,3,padding=1), nn.ReLU(), nn.MaxPool2d(2),
//           nn.Flatten(), nn.Linear(64*36,128), nn.ReLU(), nn.Linear(128,7))
//       params = [p for m in net if isinstance(m, (nn.Conv2d, nn.Linear))
//                 for p in (m.weight, m.bias)]
//       with torch.no_grad():
//           for k, p in enumerate(params):
//               i = np.arange(p.numel())
//               v = weight_value(k, i, p[0].numel()) if p.dim() > 1 else bias_value(k, i)
//               p.copy_(torch.tensor(f32(v)).reshape(p.shape))
//       return net, params
//   def checksum(t):
//       a = t.detach().numpy().ravel(); c = coeff(np.arange(a.size))
//       return (c * a).sum(), np.abs(c * a).sum()
//   for name in ['adam', 'sgd']:
//       net, params = build()
//       opt = (torch.optim.Adam(params, lr=0.002) if name == 'adam'
//              else torch.optim.SGD(params, lr=0.01, momentum=0.9))
//       for s in range(2):
//           x = torch.tensor(f32(np.stack([image(s, n) for n in range(4)])[:, None]))
//           opt.zero_grad(); z = net(x)
//           loss = nn.functional.cross_entropy(z, torch.tensor(labels[s])); loss.backward()
//           before = [p.detach().clone() for p in params]
//           opt.step()
//           # print name, s, loss, z.ravel(), and per parameter:
//           #   checksum(p.grad) + checksum(p.detach() - before[k])
//
// PyTorch's conv weights (O, I, kH, kW) and linear weights (out, C*H*W in NCHW flatten
// order) have the element order of ferlab's plain oihw / (units, features) parameters.
#include <array>

#include "engine/loss.hpp"
#include "engine/optimizer.hpp"
#include "engine_fixture.hpp"

namespace ferlab::test {
namespace {

float* floats(const dnnl::memory& m) { return static_cast<float*>(m.get_data_handle()); }
std::size_t count(const dnnl::memory& m) { return m.get_desc().get_size() / sizeof(float); }

double uniform(std::uint64_t i, std::uint64_t salt) {
  return static_cast<double>((i * 2654435761ull + salt) % 4294967296ull) / 4294967296.0 - 0.5;
}
double coeff(std::size_t i) { return static_cast<double>((i * 7919) % 1000) / 1000.0 - 0.5; }

// Position-weighted sum and its absolute counterpart (the scale for the tolerance): a
// permuted or mis-laid-out tensor changes the first even when plain sums agree.
std::pair<double, double> checksum(const std::vector<float>& v) {
  double sum = 0, scale = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    sum += coeff(i) * v[i];
    scale += std::abs(coeff(i) * v[i]);
  }
  return {sum, scale};
}

struct ParameterReference {
  double grad, grad_scale, update, update_scale;
};
struct StepReference {
  const char* optimizer;
  int step;
  double loss;
  std::vector<double> logits;                  // 4 x 7
  std::vector<ParameterReference> parameters;  // conv1..3, fc, logits: weights then bias
};

const std::vector<StepReference>& reference() {
  static const std::vector<StepReference> steps = {
      {"adam",
       0,
       1.93237221,
       {0.358497201,   0.177501885,  -0.303503825, -0.103700054,  -0.172661432, -0.290287646,
        -0.0226505046, 0.37986165,   0.400703562,  -0.270040469,  -0.133652816, -0.276956759,
        -0.414574804,  -0.123547132, 0.33156111,   0.382468596,   -0.187879143, -0.18978126,
        -0.273806891,  -0.231849291, -0.142792941, 0.360843129,   0.143897387,  -0.135120837,
        -0.0297343084, -0.275348242, -0.270745288, -0.00703652675},
       {{0.0347227762, 0.379287135, -0.00541994202, 0.0716637545},
        {-0.00979386143, 0.0565096878, 0.00173198622, 0.00902797725},
        {-0.00461441894, 16.9978361, 0.00481559875, 2.30210064},
        {0.000435843176, 0.105119326, -0.00091598996, 0.0159559717},
        {0.157505924, 74.3395982, -0.00731840985, 9.21593573},
        {-0.0329847508, 0.26325421, 0.00427998971, 0.0329039481},
        {0.343027934, 380.439629, 0.0564697299, 110.851755},
        {0.0132952309, 0.801562735, 0.00196601775, 0.0527939373},
        {-0.0107947125, 1.97547667, 0.0027386835, 0.367085489},
        {0.0541296187, 0.209910559, -0.00116199977, 0.00359799958}}},
      {"adam",
       1,
       3.18478758,
       {0.221398151,    0.303452085, 2.26245546,   2.17032497,   -1.01415534, -1.98553788,
        -0.00406781804, 0.69073698,  0.0402608541, 1.78846514,   1.58792447,  -1.43585035,
        -1.81591068,    0.138937655, -0.189228487, -0.223988363, 1.73057173,  1.57897449,
        -1.1197289,     -1.29170042, 0.551562174,  0.662631997,  0.955606288, 2.88643445,
        1.80104349,     -1.39304566, -2.20008097,  -0.388158937},
       {{0.0739966124, 2.48323958, -0.00208949041, 0.0501339529},
        {0.0458251594, 0.499328918, 0.00108111647, 0.00661096628},
        {-1.3049229, 112.699074, -0.0137061581, 1.56852629},
        {-0.0517435092, 1.33084866, 0.0018116301, 0.0110952128},
        {-0.0695008664, 207.978097, 0.00847115972, 6.06541222},
        {-0.158462963, 1.12907801, 0.00244258535, 0.0224454665},
        {-0.989581357, 577.475523, 0.0612895485, 86.7451421},
        {0.0536240557, 0.938588918, 0.000551579243, 0.0415369426},
        {0.896168525, 15.9141577, -0.0121435693, 0.284421267},
        {-0.00904545923, 0.3486993, 0.000341372648, 0.00104916456}}},
      {"sgd",
       0,
       1.93237221,
       {0.358497201,   0.177501885,  -0.303503825, -0.103700054,  -0.172661432, -0.290287646,
        -0.0226505046, 0.37986165,   0.400703562,  -0.270040469,  -0.133652816, -0.276956759,
        -0.414574804,  -0.123547132, 0.33156111,   0.382468596,   -0.187879143, -0.18978126,
        -0.273806891,  -0.231849291, -0.142792941, 0.360843129,   0.143897387,  -0.135120837,
        -0.0297343084, -0.275348242, -0.270745288, -0.00703652675},
       {{0.0347227762, 0.379287135, -0.000347227762, 0.00379287135},
        {-0.00979386143, 0.0565096878, 9.79386143e-05, 0.000565096878},
        {-0.00461441894, 16.9978361, 4.61441894e-05, 0.169978361},
        {0.000435843176, 0.105119326, -4.35843176e-06, 0.00105119326},
        {0.157505924, 74.3395982, -0.00157505924, 0.743395982},
        {-0.0329847508, 0.26325421, 0.000329847508, 0.0026325421},
        {0.343027934, 380.439629, -0.00343027934, 3.80439629},
        {0.0132952309, 0.801562735, -0.000132952309, 0.00801562735},
        {-0.0107947125, 1.97547667, 0.000107947125, 0.0197547667},
        {0.0541296187, 0.209910559, -0.000541296187, 0.00209910559}}},
      {"sgd",
       1,
       2.11866426,
       {0.266255818,   -0.000539063701, -0.0352911602, 0.245255589,  -0.191762157,  -0.395465445,
        0.00264324125, 0.431800708,     0.258924225,   -0.115309598, -0.0342480144, -0.370072976,
        -0.517248189,  -0.0727226773,   0.232163916,   0.169630884,  -0.0777864504, -0.0236270395,
        -0.342651181,  -0.277674052,    0.016194424,   0.320950179,  0.117883423,   0.235337122,
        0.180468554,   -0.325998038,    -0.366945139,  -0.0897927476},
       {{0.00163250684, 0.530294949, -0.000328830055, 0.00635201032},
        {-0.0137149926, 0.0789957004, 0.000225294679, 0.00103925125},
        {0.202243616, 22.4521839, -0.00198090639, 0.284917367},
        {0.0565479409, 0.194144879, -0.000569401998, 0.00191948374},
        {-0.119917345, 65.3882743, -0.000218379864, 0.732419801},
        {0.0925915382, 0.275890681, -0.000629052625, 0.00310310816},
        {-0.70272919, 399.672199, 0.00394004049, 5.15143126},
        {0.0282338532, 0.828533968, -0.00040199561, 0.0101476586},
        {0.0456242751, 2.35053084, -0.000359090339, 0.0235077471},
        {-0.147089033, 0.248080217, 0.000983723759, 0.00188021015}}},
  };
  return steps;
}

const std::vector<std::vector<int>> labels = {{3, 0, 6, 2}, {1, 5, 4, 3}};

void expect_near_checksum(double actual, double expected, double scale, const std::string& what) {
  // float32 against float64: 1e-4 of the summed magnitudes is far above rounding and far
  // below what a wrong element, layout, scale or accumulation changes.
  EXPECT_NEAR(actual, expected, 1e-4 * scale + 1e-9) << what;
}

void run_against_pytorch(const std::string& optimizer_name) {
  const InputShape shape{1, 48, 48};
  const NetworkDef def = backbone_def("seed-cnn",
                                      {{"activation", std::string("relu")},
                                       {"widths", std::vector<std::int64_t>{16, 32, 64}},
                                       {"dense", std::int64_t{128}},
                                       {"dropout", 0.0}},
                                      shape, 7);
  engine::Network net(def, engine::catalog_layer_factory(catalog()), shape);
  const int batch = 4;
  net.prepare(batch);
  const auto named = net.named_parameters();
  ASSERT_EQ(named.size(), 10u);
  std::vector<Parameter*> parameters;
  for (std::size_t k = 0; k < named.size(); ++k) {
    Parameter& p = *named[k].second;
    parameters.push_back(&p);
    float* w = floats(p.value);
    const std::uint64_t salt = 1000003ull * (k + 1);
    const bool weights = p.value.get_desc().dims().size() > 1;
    for (std::size_t i = 0; i < count(p.value); ++i)
      w[i] = static_cast<float>(weights ? std::sqrt(2.0 / static_cast<double>(p.fan_in)) *
                                              std::sqrt(12.0) * uniform(i, salt)
                                        : 0.2 * uniform(i, salt));
  }
  engine::OptimizerOptions options;
  options.name = optimizer_name;
  options.lr = optimizer_name == "sgd" ? 0.01 : 0.002;  // momentum 0.9, betas 0.9/0.999, eps 1e-8
  engine::Optimizer optimizer(options, parameters);

  for (const StepReference& ref : reference()) {
    if (ref.optimizer != optimizer_name) continue;
    const std::string at = optimizer_name + " step " + std::to_string(ref.step) + ": ";
    float* x = net.input();
    for (int n = 0; n < batch; ++n)
      for (std::uint64_t e = 0; e < 48 * 48; ++e)
        x[n * 48 * 48 + e] =
            static_cast<float>(0.5 + uniform(e + 48 * 48 * n, 7777 + 99991ull * ref.step));
    const float* logits = net.forward(true);
    for (std::size_t e = 0; e < ref.logits.size(); ++e)
      EXPECT_NEAR(logits[e], ref.logits[e], 1e-4 * (1 + std::abs(ref.logits[e])))
          << at << "logit " << e;
    const double loss = engine::softmax_cross_entropy(logits, labels[ref.step].data(), batch, 7, {},
                                                      net.output_grad());
    EXPECT_NEAR(loss, ref.loss, 1e-5 * (1 + ref.loss)) << at << "loss";
    net.backward();
    std::vector<std::vector<float>> before;
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      const std::vector<float> grad(floats(parameters[k]->grad),
                                    floats(parameters[k]->grad) + count(parameters[k]->grad));
      const auto [sum, scale] = checksum(grad);
      expect_near_checksum(sum, ref.parameters[k].grad, ref.parameters[k].grad_scale,
                           at + "gradient of " + named[k].first);
      EXPECT_NEAR(scale, ref.parameters[k].grad_scale, 1e-4 * ref.parameters[k].grad_scale)
          << at << "gradient magnitude of " << named[k].first;
      before.emplace_back(floats(parameters[k]->value),
                          floats(parameters[k]->value) + count(parameters[k]->value));
    }
    optimizer.step(options.lr);
    for (std::size_t k = 0; k < parameters.size(); ++k) {
      std::vector<float> update(before[k].size());
      const float* w = floats(parameters[k]->value);
      for (std::size_t i = 0; i < update.size(); ++i) update[i] = w[i] - before[k][i];
      const auto [sum, scale] = checksum(update);
      expect_near_checksum(sum, ref.parameters[k].update, ref.parameters[k].update_scale,
                           at + "update of " + named[k].first);
      EXPECT_NEAR(scale, ref.parameters[k].update_scale, 1e-3 * ref.parameters[k].update_scale)
          << at << "update magnitude of " << named[k].first;
    }
    // An evaluation-style pass on other images between the steps must leave nothing behind.
    std::fill_n(net.input(), batch * 48 * 48, 0.25f);
    net.forward(false);
  }
}

TEST(PyTorchReference, SeedCnnAdamStepsMatchPyTorch) { run_against_pytorch("adam"); }
TEST(PyTorchReference, SeedCnnSgdMomentumStepsMatchPyTorch) { run_against_pytorch("sgd"); }

}  // namespace
}  // namespace ferlab::test
