// Grad-CAM's combination step against a hand-computed example.
#include "run/grad_cam.hpp"

#include <gtest/gtest.h>

TEST(GradCam, WeighsEachMapByItsMeanGradientAndKeepsThePositivePart) {
  // Two 2x2 maps. Map 0: gradient 1 everywhere -> weight 1. Map 1: gradient -2 -> weight -2.
  // 1*[1 2 3 4] - 2*[4 0 0 0] = [-7 2 3 4] -> ReLU -> [0 2 3 4].
  const float activations[] = {1, 2, 3, 4, 4, 0, 0, 0};
  const float gradients[] = {1, 1, 1, 1, -2, -2, -2, -2};
  std::vector<float> cam = ferlab::run::grad_cam_map(activations, gradients, 2, 2, 2);
  EXPECT_EQ(cam, (std::vector<float>{0, 2, 3, 4}));
  // Uneven gradients: only their spatial mean counts. Mean of [4 0 0 0] is 1.
  const float uneven[] = {4, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(ferlab::run::grad_cam_map(activations, uneven, 2, 2, 2),
            (std::vector<float>{1, 2, 3, 4}));
}
