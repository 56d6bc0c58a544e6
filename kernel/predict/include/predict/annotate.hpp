// Draws predictions on a frame: each face's box and label in its class colour, and a bar per
// class showing its probability beside the box.
#pragma once

#include <string>
#include <vector>

#include "predict/face_prediction.hpp"

namespace ferlab::predict {

void annotate(cv::Mat& frame, const std::vector<FacePrediction>& faces,
              const std::vector<std::string>& classes);

}  // namespace ferlab::predict
