#include "expression.hpp"

#include <algorithm>
#include <stdexcept>

namespace synthetic_faces {
namespace {

// Loosely after FACS descriptions of the basic emotions; the mouth and brows carry most of
// the signal, as in real faces, so occluding either leaves the other to decide.
const std::array<Expression, kNumClasses> kPrototypes = {{
    // raise  tilt  eyes  curve  open  width  lip  wrinkle
    {-0.8, 1.0, 0.85, -0.35, 0.0, 0.85, 0.0, 0.4},  // angry
    {-0.4, 0.4, 0.55, -0.5, 0.15, 0.95, 1.0, 1.0},  // disgust
    {0.8, -0.7, 1.45, -0.25, 0.45, 1.2, 0.0, 0.0},  // fear
    {0.1, 0.0, 0.75, 1.0, 0.3, 1.25, 0.0, 0.0},     // happy
    {0.15, -1.0, 0.75, -0.9, 0.0, 0.9, 0.0, 0.0},   // sad
    {1.2, -0.1, 1.55, 0.0, 1.0, 0.7, 0.0, 0.0},     // surprise
    {0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0},       // neutral
}};

// Typical spread of each feature across the classes: jitter is relative to it.
const Expression kSpread = {1.0, 1.0, 0.4, 0.9, 0.5, 0.25, 0.5, 0.5};

double blend(double neutral, double full, double k) { return neutral + k * (full - neutral); }

}  // namespace

const Expression& prototype(int label) {
  if (label < 0 || label >= kNumClasses) throw std::out_of_range("expression label out of range");
  return kPrototypes[label];
}

Expression draw_expression(int label, const Variation& v, Random& random) {
  const Expression& n = kPrototypes[6];
  const Expression& p = prototype(label);
  double k = random.uniform(v.intensity_min, v.intensity_max);
  auto draw = [&](double Expression::*field) {
    return blend(n.*field, p.*field, k) + v.jitter * kSpread.*field * random.normal();
  };
  Expression e;
  e.brow_raise = draw(&Expression::brow_raise);
  e.brow_tilt = draw(&Expression::brow_tilt);
  e.eye_open = std::clamp(draw(&Expression::eye_open), 0.15, 2.0);
  e.mouth_curve = std::clamp(draw(&Expression::mouth_curve), -1.5, 1.5);
  e.mouth_open = std::clamp(draw(&Expression::mouth_open), 0.0, 1.3);
  e.mouth_width = std::clamp(draw(&Expression::mouth_width), 0.55, 1.5);
  e.lip_raise = std::clamp(draw(&Expression::lip_raise), 0.0, 1.0);
  e.nose_wrinkle = std::clamp(draw(&Expression::nose_wrinkle), 0.0, 1.0);
  return e;
}

}  // namespace synthetic_faces
