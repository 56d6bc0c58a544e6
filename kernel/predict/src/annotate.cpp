#include "predict/annotate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace ferlab::predict {
namespace {

cv::Scalar class_colour(int c) {  // BGR, distinct for the usual 7 emotions
  static const cv::Scalar palette[] = {{60, 60, 230},   {60, 160, 60},  {160, 60, 160},
                                       {40, 200, 240},  {220, 140, 40}, {230, 200, 60},
                                       {180, 180, 180}, {120, 80, 200}};
  return palette[static_cast<std::size_t>(c) % std::size(palette)];
}

void draw_bars(cv::Mat& frame, const FacePrediction& face, const std::vector<std::string>& classes,
               double font, int line) {
  const int text_height = cv::getTextSize("Mg", cv::FONT_HERSHEY_SIMPLEX, font, 1, nullptr).height;
  const int row = text_height + 6, bar = 5 * row;
  int label_width = 0;
  for (const std::string& name : classes)
    label_width = std::max(label_width,
                           cv::getTextSize(name, cv::FONT_HERSHEY_SIMPLEX, font, 1, nullptr).width);
  const int panel = label_width + bar + 8;
  int x = face.box.x + face.box.width + 4;
  if (x + panel > frame.cols) x = std::max(0, face.box.x - panel - 4);  // no room on the right
  const int y = face.box.y;
  for (std::size_t c = 0; c < classes.size() && c < face.smoothed.size(); ++c) {
    const int top = y + static_cast<int>(c) * row;
    const int filled = static_cast<int>(bar * std::clamp(face.smoothed[c], 0.f, 1.f));
    cv::putText(frame, classes[c], {x, top + text_height + 2}, cv::FONT_HERSHEY_SIMPLEX, font,
                {255, 255, 255}, 1, cv::LINE_AA);
    const cv::Rect outline(x + label_width + 4, top + 2, bar, row - 4);
    cv::rectangle(frame, {outline.x, outline.y, filled, outline.height}, class_colour(int(c)),
                  cv::FILLED);
    cv::rectangle(frame, outline, {255, 255, 255}, std::max(1, line / 2));
  }
}

}  // namespace

void annotate(cv::Mat& frame, const std::vector<FacePrediction>& faces,
              const std::vector<std::string>& classes) {
  const double font = std::clamp(frame.rows / 900.0, 0.35, 1.2);
  const int line = std::max(1, frame.rows / 300);
  for (const FacePrediction& face : faces) {
    const cv::Scalar colour = class_colour(face.label);
    cv::rectangle(frame, face.box, colour, line);
    const std::string text =
        fmt::format("{} {:.0f}%", classes.at(static_cast<std::size_t>(face.label)),
                    100.0 * face.smoothed.at(static_cast<std::size_t>(face.label)));
    int baseline = 0;
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font * 1.3, line, &baseline);
    const int top = face.box.y >= size.height + 6 ? face.box.y - size.height - 6 : face.box.y;
    cv::rectangle(frame, {face.box.x, top, size.width + 6, size.height + 6}, colour, cv::FILLED);
    cv::putText(frame, text, {face.box.x + 3, top + size.height + 2}, cv::FONT_HERSHEY_SIMPLEX,
                font * 1.3, {255, 255, 255}, line, cv::LINE_AA);
    draw_bars(frame, face, classes, font, line);
  }
}

}  // namespace ferlab::predict
