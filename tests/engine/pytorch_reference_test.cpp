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
//           # and, for i in sample_indices(k, p.numel()): i, p.grad[i], (p - before[k])[i]
//   def sample_indices(k, n): return [(j * 104729 + k * 31) % n for j in range(4)]
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

// Four elements of every gradient and update, spread over each tensor, from the same PyTorch
// runs: a few wrong elements, which a checksum over 295k fc weights would absorb, show here.
struct SampledElement {
  std::size_t index;
  double grad, update;
};
struct SampledStep {
  const char* optimizer;
  int step;
  std::vector<std::vector<SampledElement>> parameters;  // as StepReference::parameters
};

const std::vector<SampledStep>& sampled() {
  static const std::vector<SampledStep> steps = {{"adam",
                                                  0,
                                                  {{{0, 0.0019372235, -0.00199998968},
                                                    {41, 0.00282936996, -0.00199999293},
                                                    {82, 0.0125244518, -0.0019999984},
                                                    {123, 0.00283539364, -0.00199999295}},
                                                   {{15, -0.00212561075, 0.00199999059},
                                                    {8, 0.000509633365, -0.00199996076},
                                                    {1, -0.00552811929, 0.00199999638},
                                                    {10, -0.0144853978, 0.00199999862}},
                                                   {{62, -0.0288079129, 0.00199999931},
                                                    {3415, 0.00588658014, -0.0019999966},
                                                    {2160, 0.0260948053, -0.00199999923},
                                                    {905, -0.0316991373, 0.00199999937}},
                                                   {{29, -0.00648359332, 0.00199999692},
                                                    {22, 0.0398127074, -0.0019999995},
                                                    {15, 0.0286135799, -0.0019999993},
                                                    {8, -0.0148041877, 0.00199999865}},
                                                   {{124, 0.0198711296, -0.00199999899},
                                                    {12693, 0.00905425813, -0.00199999779},
                                                    {6830, -0.0214543429, 0.00199999907},
                                                    {967, 0.0217880213, -0.00199999908}},
                                                   {{27, -0.00614300129, 0.00199999674},
                                                    {52, 0.0241030268, -0.00199999917},
                                                    {13, 0.0388651155, -0.00199999949},
                                                    {38, -0.00441617832, 0.00199999547}},
                                                   {{186, 0, 0},
                                                    {104915, 0.0059051989, -0.00199999661},
                                                    {209644, 0, 0},
                                                    {19461, -0.00551385954, 0.00199999637}},
                                                   {{89, 0.00797713088, -0.00199999749},
                                                    {114, 0.0544725181, -0.00199999963},
                                                    {11, 0.0581328887, -0.00199999966},
                                                    {36, 0.00428628753, -0.00199999533}},
                                                   {{248, 0, 0},
                                                    {145, 0.00796239665, -0.00199999749},
                                                    {42, 0.000470247317, -0.00199995747},
                                                    {835, 0, 0}},
                                                   {{6, -0.115211065, 0.00199999983},
                                                    {1, 0.192209396, -0.0019999999},
                                                    {3, -0.120554344, 0.00199999983},
                                                    {5, 0.107354639, -0.00199999981}}}},
                                                 {"adam",
                                                  1,
                                                  {{{0, 0.0187172644, -0.00161826834},
                                                    {41, 0.0118654548, -0.00175841597},
                                                    {82, 0.0269167789, -0.00191459424},
                                                    {123, -0.00489245965, 0.00061610542}},
                                                   {{15, -0.0301246893, 0.0015788632},
                                                    {8, 0.0934311242, -0.00149555739},
                                                    {1, 0.0117570785, -0.000776949341},
                                                    {10, -0.051583139, 0.00179504603}},
                                                   {{62, 0.24111723, -0.00131887029},
                                                    {3415, 0.0343493764, -0.00169316009},
                                                    {2160, -0.294755831, 0.00136436118},
                                                    {905, -0.0270750605, 0.00198565969}},
                                                   {{29, -0.126206433, 0.00155503614},
                                                    {22, -0.284881547, 0.00128857359},
                                                    {15, -0.315212594, 0.00136109394},
                                                    {8, -0.169120095, 0.00159941393}},
                                                   {{124, 0.00025575552, -0.00135916758},
                                                    {12693, 0.106418401, -0.00159647362},
                                                    {6830, 0.0155043081, 0.000213981784},
                                                    {967, 0.0692751279, -0.00182165995}},
                                                   {{27, 0.118424076, -0.00141688941},
                                                    {52, 0.0104561611, -0.00182186585},
                                                    {13, -0.00908351333, -0.000966044588},
                                                    {38, 0.0818982888, -0.00141399466}},
                                                   {{186, -0.0064125987, 0.00148827037},
                                                    {104915, 0, -0.0013401133},
                                                    {209644, 0.0709131711, -0.00148827335},
                                                    {19461, -0.00485481775, 0.00198935425}},
                                                   {{89, 0, -0.00134011413},
                                                    {114, 0, -0.00134011616},
                                                    {11, 0, -0.00134011618},
                                                    {36, 0, -0.00134011209}},
                                                   {{248, 0, 0},
                                                    {145, 0, -0.00134011413},
                                                    {42, 0, -0.0013400762},
                                                    {835, 0.00451463368, -0.00148826899}},
                                                   {{6, 0.0654176926, 0.000430085423},
                                                    {1, -0.182280877, 5.22213245e-05},
                                                    {3, 0.0617034534, 0.000514459293},
                                                    {5, -0.240152495, 0.000812127369}}}},
                                                 {"sgd",
                                                  0,
                                                  {{{0, 0.0019372235, -1.9372235e-05},
                                                    {41, 0.00282936996, -2.82936996e-05},
                                                    {82, 0.0125244518, -0.000125244518},
                                                    {123, 0.00283539364, -2.83539364e-05}},
                                                   {{15, -0.00212561075, 2.12561075e-05},
                                                    {8, 0.000509633365, -5.09633365e-06},
                                                    {1, -0.00552811929, 5.52811929e-05},
                                                    {10, -0.0144853978, 0.000144853978}},
                                                   {{62, -0.0288079129, 0.000288079129},
                                                    {3415, 0.00588658014, -5.88658014e-05},
                                                    {2160, 0.0260948053, -0.000260948053},
                                                    {905, -0.0316991373, 0.000316991373}},
                                                   {{29, -0.00648359332, 6.48359332e-05},
                                                    {22, 0.0398127074, -0.000398127074},
                                                    {15, 0.0286135799, -0.000286135799},
                                                    {8, -0.0148041877, 0.000148041877}},
                                                   {{124, 0.0198711296, -0.000198711296},
                                                    {12693, 0.00905425813, -9.05425813e-05},
                                                    {6830, -0.0214543429, 0.000214543429},
                                                    {967, 0.0217880213, -0.000217880213}},
                                                   {{27, -0.00614300129, 6.14300129e-05},
                                                    {52, 0.0241030268, -0.000241030268},
                                                    {13, 0.0388651155, -0.000388651155},
                                                    {38, -0.00441617832, 4.41617832e-05}},
                                                   {{186, 0, 0},
                                                    {104915, 0.0059051989, -5.9051989e-05},
                                                    {209644, 0, 0},
                                                    {19461, -0.00551385954, 5.51385954e-05}},
                                                   {{89, 0.00797713088, -7.97713088e-05},
                                                    {114, 0.0544725181, -0.000544725181},
                                                    {11, 0.0581328887, -0.000581328887},
                                                    {36, 0.00428628753, -4.28628753e-05}},
                                                   {{248, 0, 0},
                                                    {145, 0.00796239665, -7.96239665e-05},
                                                    {42, 0.000470247317, -4.70247317e-06},
                                                    {835, 0, 0}},
                                                   {{6, -0.115211065, 0.00115211065},
                                                    {1, 0.192209396, -0.00192209396},
                                                    {3, -0.120554344, 0.00120554344},
                                                    {5, 0.107354639, -0.00107354639}}}},
                                                 {"sgd",
                                                  1,
                                                  {{{0, 0.0100943604, -0.000118378616},
                                                    {41, -0.00434498165, 1.79854869e-05},
                                                    {82, 0.0353326654, -0.00046604672},
                                                    {123, 0.000627780458, -3.17963474e-05}},
                                                   {{15, -0.0096650786, 0.000115781283},
                                                    {8, -0.00605249455, 5.59382452e-05},
                                                    {1, 0.00667689533, -1.70158797e-05},
                                                    {10, -0.0168182578, 0.000298551159}},
                                                   {{62, -0.0308914762, 0.000568185978},
                                                    {3415, -0.020469007, 0.000151710849},
                                                    {2160, 0.0224453584, -0.000459306831},
                                                    {905, -0.017032865, 0.000455620886}},
                                                   {{29, 0.0248739155, -0.000190386815},
                                                    {22, 0.0169856397, -0.000528170764},
                                                    {15, 0.00548545952, -0.000312376814},
                                                    {8, -0.0394612221, 0.00052784991}},
                                                   {{124, -0.0128102946, -5.07372211e-05},
                                                    {12693, -0.0256160059, 0.000174671736},
                                                    {6830, 0.0177706766, 1.538232e-05},
                                                    {967, -0.0044022629, -0.000152069563}},
                                                   {{27, 0.00752780732, -1.99910616e-05},
                                                    {52, 0.00174002264, -0.000234327468},
                                                    {13, 0.0255939144, -0.000605725183},
                                                    {38, 0.0259424334, -0.000219678729}},
                                                   {{186, 0, 0},
                                                    {104915, -0.00454701911, -7.67659905e-06},
                                                    {209644, 0.00666421593, -6.66421593e-05},
                                                    {19461, 0.00269825397, 2.26421962e-05}},
                                                   {{89, -0.00449950248, -2.67991531e-05},
                                                    {114, 0, -0.000490252663},
                                                    {11, 0.071788562, -0.00124108162},
                                                    {36, 0.0161155631, -0.000199732219}},
                                                   {{248, 0, 0},
                                                    {145, 0.00770015001, -0.00014866307},
                                                    {42, 0, -4.23222585e-06},
                                                    {835, 0.00107411842, -1.07411842e-05}},
                                                   {{6, 0.137717881, -0.000340279225},
                                                    {1, -0.085766665, -0.000872217914},
                                                    {3, -0.0929306096, 0.00201429519},
                                                    {5, -0.153085886, 0.000564667111}}}}};
  return steps;
}

const SampledStep& sampled_step(const std::string& optimizer, int step) {
  for (const SampledStep& s : sampled())
    if (s.optimizer == optimizer && s.step == step) return s;
  throw std::logic_error("no sampled reference for " + optimizer);
}

// float32 against float64: 1e-3 of the element plus 1e-3 of the tensor's mean magnitude (its
// checksum scale / n x 4, as |coeff| averages 1/4): far above rounding, far below a wrong
// element, index or sign.
void expect_near_element(double actual, double expected, double tensor_scale, std::size_t n,
                         const std::string& what) {
  EXPECT_NEAR(actual, expected,
              1e-3 * std::abs(expected) + 1e-3 * 4 * tensor_scale / static_cast<double>(n) + 1e-12)
      << what;
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
  engine::Network net(def, assembly::catalog_layer_factory(catalog()), shape);
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
  options.name = *options::parse<options::Optimizer>(optimizer_name);
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
      for (const SampledElement& e : sampled_step(optimizer_name, ref.step).parameters[k])
        expect_near_element(
            grad.at(e.index), e.grad, ref.parameters[k].grad_scale, grad.size(),
            at + "gradient of " + named[k].first + " element " + std::to_string(e.index));
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
      for (const SampledElement& e : sampled_step(optimizer_name, ref.step).parameters[k])
        expect_near_element(
            update.at(e.index), e.update, ref.parameters[k].update_scale, update.size(),
            at + "update of " + named[k].first + " element " + std::to_string(e.index));
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
