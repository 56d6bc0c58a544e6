// Everything about a synthetic face that is not its expression: who (proportions, tones),
// where (pose), and how it was photographed (lighting, noise, occlusion).
#pragma once

#include "random.hpp"

namespace synthetic_faces {

// The difficulty knobs of the nuisance factors (the dataset's parameters).
struct Nuisance {
  double max_rotation_deg = 12;
  double max_shift = 0.06;  // fraction of the image side
  double scale_min = 0.9, scale_max = 1.12;
  double lighting = 0.5;    // 0 = flat; 1 = strong gradient and exposure changes
  double noise = 6;         // maximum std of Gaussian pixel noise (0..255 scale)
  double occlusion = 0.15;  // probability of an occluding patch over the face
};

struct Appearance {
  // Pose: the face is drawn in a unit square, then rotated about its centre, scaled, shifted.
  double rotation_deg = 0, scale = 1, shift_x = 0, shift_y = 0;
  // Tones, 0..255.
  double background = 128, background_slope_x = 0, background_slope_y = 0;
  double skin = 180, hair = 60, dark = 40;
  bool has_hair = true;
  double fringe_depth = 0.1;
  // Proportions, in face units (the unit square).
  double head_w = 0.34, head_h = 0.45, eye_y = 0.43, eye_gap = 0.15, eye_size = 0.064;
  double brow_thickness = 0.022, nose_y = 0.6, mouth_y = 0.76;
  double gaze_x = 0, gaze_y = 0;
  double lip_side = 1;  // which side a one-sided lip raise lifts
  // Photography.
  double light_angle = 0, light_gradient = 0, exposure = 1, noise_sigma = 0;
  // Occlusion: a patch of flat tone over part of the face.
  bool occluded = false, occluder_round = false;
  double occ_x = 0.5, occ_y = 0.5, occ_w = 0.2, occ_h = 0.2, occ_angle = 0, occ_tone = 128;
};

Appearance draw_appearance(const Nuisance& nuisance, Random& random);

}  // namespace synthetic_faces
