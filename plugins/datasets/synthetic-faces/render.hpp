// Draws one synthetic face as an 8-bit grayscale image.
#pragma once

#include <opencv2/core.hpp>

#include "appearance.hpp"
#include "expression.hpp"

namespace synthetic_faces {

// Draws at several times the output size with anti-aliasing and shrinks with area averaging,
// so thin features (eyelids, brows) keep their shape even at 48x48. `noise` supplies the pixel
// noise, so the result depends only on the arguments.
cv::Mat render_face(const Expression& expression, const Appearance& appearance, int size,
                    Random& noise);

}  // namespace synthetic_faces
