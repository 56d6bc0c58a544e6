// The seven FER2013 expressions as facial-feature settings, and how one sample draws its own.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "random.hpp"

namespace synthetic_faces {

// Canonical FER2013 order: labels index this list.
inline const std::vector<std::string> kClassNames = {"angry", "disgust",  "fear",   "happy",
                                                     "sad",   "surprise", "neutral"};
inline constexpr int kNumClasses = 7;

// What an expression changes, in units where the neutral face is (0, 0, 1, 0, 0, 1, 0, 0).
struct Expression {
  double brow_raise = 0;    // + raised (surprise, fear), - lowered (anger)
  double brow_tilt = 0;     // + inner ends down (anger's V), - inner ends up (sadness, fear)
  double eye_open = 1;      // < 1 narrowed, > 1 wide
  double mouth_curve = 0;   // + corners up (smile), - corners down (frown)
  double mouth_open = 0;    // 0 closed .. 1 wide open
  double mouth_width = 1;   // relative to neutral
  double lip_raise = 0;     // one-sided upper-lip raise (disgust), 0..1
  double nose_wrinkle = 0;  // wrinkles at the nose bridge (disgust, anger), 0..1
};

// How much an expression is allowed to vary between samples (the class overlap).
struct Variation {
  double intensity_min = 0.35, intensity_max = 1.0;  // blend from neutral to the full prototype
  double jitter = 0.25;  // std of per-feature noise, as a fraction of that feature's spread
};

// Full-intensity prototype of a class (0..6).
const Expression& prototype(int label);

// One sample's expression: neutral blended towards the prototype by a random intensity, plus
// per-feature jitter (people differ), clamped to drawable values.
Expression draw_expression(int label, const Variation& variation, Random& random);

}  // namespace synthetic_faces
