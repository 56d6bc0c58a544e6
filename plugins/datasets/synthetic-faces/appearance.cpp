#include "appearance.hpp"

#include <algorithm>
#include <cmath>

namespace synthetic_faces {

Appearance draw_appearance(const Nuisance& n, Random& r) {
  Appearance a;
  a.rotation_deg = r.uniform(-n.max_rotation_deg, n.max_rotation_deg);
  a.scale = r.uniform(n.scale_min, n.scale_max);
  a.shift_x = r.uniform(-n.max_shift, n.max_shift);
  a.shift_y = r.uniform(-n.max_shift, n.max_shift);

  a.skin = r.uniform(110, 215);
  a.background = r.uniform(25, 230);
  if (std::abs(a.background - a.skin) < 30) {  // keep the head outline visible
    a.background = a.skin > 128 ? a.skin - r.uniform(40, 90) : a.skin + r.uniform(40, 90);
  }
  a.background_slope_x = r.uniform(-40, 40);
  a.background_slope_y = r.uniform(-40, 40);
  a.hair = r.uniform(10, std::max(20.0, a.skin - 50));
  a.dark = r.uniform(10, 50);
  a.has_hair = r.chance(0.8);
  a.fringe_depth = r.uniform(0.02, 0.14);

  a.head_w = r.uniform(0.31, 0.37);
  a.head_h = r.uniform(0.42, 0.48);
  a.eye_y = 0.43 + 0.012 * r.normal();
  a.eye_gap = r.uniform(0.135, 0.165);
  a.eye_size = r.uniform(0.055, 0.072);
  a.brow_thickness = r.uniform(0.016, 0.028);
  a.nose_y = 0.6 + 0.01 * r.normal();
  a.mouth_y = 0.76 + 0.012 * r.normal();
  a.gaze_x = r.uniform(-1, 1);
  a.gaze_y = r.uniform(-1, 1);
  a.lip_side = r.sign();

  a.light_angle = r.uniform(0, 2 * M_PI);
  a.light_gradient = r.uniform(0, n.lighting);
  a.exposure = r.uniform(1 - 0.3 * n.lighting, 1 + 0.2 * n.lighting);
  a.noise_sigma = r.uniform(0, n.noise);

  a.occluded = r.chance(n.occlusion);
  a.occluder_round = r.chance(0.5);
  a.occ_x = r.uniform(0.3, 0.7);
  a.occ_y = r.uniform(0.3, 0.85);
  a.occ_w = r.uniform(0.12, 0.3);
  a.occ_h = r.uniform(0.08, 0.22);
  a.occ_angle = r.uniform(-30, 30);
  a.occ_tone = r.uniform(20, 235);
  return a;
}

}  // namespace synthetic_faces
