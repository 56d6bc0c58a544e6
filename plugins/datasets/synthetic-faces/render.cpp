#include "render.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace synthetic_faces {
namespace {

constexpr int kShift = 4;  // fractional bits of drawing coordinates
constexpr double kOne = 1 << kShift;

// A supersampled canvas whose drawing calls take face coordinates (the unit square) and
// apply the pose, so every feature rotates, scales and shifts together.
class Canvas {
 public:
  Canvas(int side, const Appearance& a) : side_(side), a_(a) {
    double t = a.rotation_deg * M_PI / 180;
    cos_ = std::cos(t) * a.scale;
    sin_ = std::sin(t) * a.scale;
    image_.create(side, side, CV_8UC1);
    for (int y = 0; y < side; ++y) {
      auto* row = image_.ptr<unsigned char>(y);
      for (int x = 0; x < side; ++x) {
        double v = a.background + a.background_slope_x * (double(x) / side - 0.5) +
                   a.background_slope_y * (double(y) / side - 0.5);
        row[x] = cv::saturate_cast<unsigned char>(v);
      }
    }
  }

  cv::Point at(double u, double v) const {
    double x = side_ * (0.5 + a_.shift_x + cos_ * (u - 0.5) - sin_ * (v - 0.5));
    double y = side_ * (0.5 + a_.shift_y + sin_ * (u - 0.5) + cos_ * (v - 0.5));
    return {cvRound(x * kOne), cvRound(y * kOne)};
  }
  int length(double d) const { return std::max(1, cvRound(d * side_ * a_.scale * kOne)); }
  int thickness(double d) const { return std::max(1, cvRound(d * side_ * a_.scale)); }

  void ellipse(double u, double v, double au, double av, double tone, int thick = cv::FILLED,
               double start = 0, double end = 360, double angle = 0) {
    cv::ellipse(image_, at(u, v), {length(au), length(av)}, a_.rotation_deg + angle, start, end,
                cv::Scalar(tone), thick, cv::LINE_AA, kShift);
  }
  void polyline(const std::vector<cv::Point2d>& points, double tone, double width) {
    std::vector<cv::Point> p = map(points);
    cv::polylines(image_, p, false, cv::Scalar(tone), thickness(width), cv::LINE_AA, kShift);
  }
  void polygon(const std::vector<cv::Point2d>& points, double tone) {
    std::vector<std::vector<cv::Point>> p = {map(points)};
    cv::fillPoly(image_, p, cv::Scalar(tone), cv::LINE_AA, kShift);
  }
  const cv::Mat& image() const { return image_; }

 private:
  std::vector<cv::Point> map(const std::vector<cv::Point2d>& points) const {
    std::vector<cv::Point> out;
    for (const auto& q : points) out.push_back(at(q.x, q.y));
    return out;
  }

  int side_;
  const Appearance& a_;
  double cos_, sin_;
  cv::Mat image_;
};

// Quadratic Bezier through three control points, sampled for a smooth polyline.
std::vector<cv::Point2d> curve(cv::Point2d p0, cv::Point2d p1, cv::Point2d p2, int n = 10) {
  std::vector<cv::Point2d> out;
  for (int i = 0; i <= n; ++i) {
    double t = double(i) / n;
    out.push_back((1 - t) * (1 - t) * p0 + 2 * (1 - t) * t * p1 + t * t * p2);
  }
  return out;
}

void draw_head(Canvas& c, const Appearance& a) {
  c.polygon({{0.41, 0.8}, {0.59, 0.8}, {0.63, 1.2}, {0.37, 1.2}}, a.skin * 0.85);  // neck
  if (a.has_hair) c.ellipse(0.5, 0.47, a.head_w + 0.03, a.head_h + 0.02, a.hair);
  c.ellipse(0.5, 0.52, a.head_w, a.head_h, a.skin);
  if (a.has_hair) c.ellipse(0.5, 0.08, a.head_w * 0.95, a.fringe_depth + 0.02, a.hair);
}

void draw_eyes(Canvas& c, const Expression& e, const Appearance& a) {
  double half_h = 0.5 * a.eye_size * e.eye_open;
  double white = std::min(250.0, a.skin + 45);
  for (double side : {-1.0, 1.0}) {
    double x = 0.5 + side * a.eye_gap, y = a.eye_y;
    c.ellipse(x, y, a.eye_size, half_h, white);
    double iris = std::min(0.45 * a.eye_size, half_h);
    double ix = x + a.gaze_x * 0.35 * a.eye_size, iy = y + a.gaze_y * 0.3 * half_h;
    c.ellipse(ix, iy, iris, iris, a.dark + 40);
    c.ellipse(ix, iy, iris * 0.5, iris * 0.5, a.dark);
    c.ellipse(x, y, a.eye_size, half_h, a.dark, c.thickness(0.007));
    c.ellipse(x, y, a.eye_size, half_h, a.dark, c.thickness(0.014), 180, 360);  // upper lid
  }
}

void draw_brows(Canvas& c, const Expression& e, const Appearance& a) {
  double base = a.eye_y - 0.085 - 0.035 * e.brow_raise;
  double tone = std::min(a.hair, a.skin - 60);
  for (double side : {-1.0, 1.0}) {
    cv::Point2d inner{0.5 + side * (a.eye_gap - 0.065), base + 0.03 * e.brow_tilt};
    cv::Point2d middle{0.5 + side * (a.eye_gap + 0.01), base - 0.02};
    cv::Point2d outer{0.5 + side * (a.eye_gap + 0.085), base + 0.01 - 0.012 * e.brow_tilt};
    c.polyline(curve(inner, middle, outer), tone, a.brow_thickness);
  }
}

void draw_nose(Canvas& c, const Expression& e, const Appearance& a) {
  double y = a.nose_y;
  c.polyline(curve({0.46, y - 0.01}, {0.5, y + 0.035}, {0.54, y - 0.01}), a.skin * 0.7, 0.01);
  for (double side : {-1.0, 1.0}) c.ellipse(0.5 + side * 0.022, y + 0.012, 0.011, 0.006, a.dark);
  if (e.nose_wrinkle > 0.05) {  // short creases across the bridge, darker when stronger
    double tone = a.skin - 80 * e.nose_wrinkle;
    for (int i = 0; i < 3; ++i) {
      double wy = a.eye_y - 0.01 + 0.022 * i;
      c.polyline(curve({0.465, wy + 0.008}, {0.5, wy - 0.006}, {0.535, wy + 0.008}, 6), tone,
                 0.008);
    }
  }
}

void draw_mouth(Canvas& c, const Expression& e, const Appearance& a) {
  double half_w = 0.115 * e.mouth_width;
  std::vector<cv::Point2d> upper, lower, line;
  double widest = 0;
  for (int i = 0; i <= 20; ++i) {
    double t = -1 + i / 10.0;
    double x = 0.5 + half_w * t;
    double y = a.mouth_y - 0.055 * e.mouth_curve * t * t;
    double envelope = std::sqrt(std::max(0.0, 1 - t * t));
    double raise = 0.035 * e.lip_raise * std::clamp(0.5 + 0.5 * a.lip_side * t, 0.0, 1.0);
    double top = (0.02 * e.mouth_open + raise) * envelope;
    double bottom = 0.075 * e.mouth_open * envelope;
    widest = std::max(widest, top + bottom);
    upper.push_back({x, y - top});
    lower.push_back({x, y + bottom});
    line.push_back({x, y});
  }
  double lip = a.skin * 0.5;
  if (widest < 0.006) {
    c.polyline(line, lip, 0.02);
    return;
  }
  std::vector<cv::Point2d> opening = upper;
  opening.insert(opening.end(), lower.rbegin(), lower.rend());
  c.polygon(opening, a.dark + 10);
  c.polyline(upper, lip, 0.012);
  c.polyline(lower, lip, 0.014);
}

void draw_occluder(Canvas& c, const Appearance& a) {
  if (a.occluder_round) {
    c.ellipse(a.occ_x, a.occ_y, a.occ_w, a.occ_h, a.occ_tone, cv::FILLED, 0, 360, a.occ_angle);
    return;
  }
  double t = a.occ_angle * M_PI / 180, cs = std::cos(t), sn = std::sin(t);
  std::vector<cv::Point2d> corners;
  for (auto [dx, dy] : {std::pair{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) {
    double u = dx * a.occ_w, v = dy * a.occ_h;
    corners.push_back({a.occ_x + cs * u - sn * v, a.occ_y + sn * u + cs * v});
  }
  c.polygon(corners, a.occ_tone);
}

// Exposure, a linear light gradient across the image, then Gaussian noise.
cv::Mat photograph(const cv::Mat& drawn, const Appearance& a, Random& noise) {
  int size = drawn.rows;
  double gx = std::cos(a.light_angle) * a.light_gradient;
  double gy = std::sin(a.light_angle) * a.light_gradient;
  cv::Mat out(size, size, CV_8UC1);
  for (int y = 0; y < size; ++y) {
    const auto* in = drawn.ptr<float>(y);
    auto* row = out.ptr<unsigned char>(y);
    for (int x = 0; x < size; ++x) {
      double light =
          a.exposure * (1 + gx * (double(x) / size - 0.5) + gy * (double(y) / size - 0.5));
      double value = in[x] * light + (a.noise_sigma > 0 ? a.noise_sigma * noise.normal() : 0.0);
      row[x] = cv::saturate_cast<unsigned char>(value);
    }
  }
  return out;
}

}  // namespace

cv::Mat render_face(const Expression& e, const Appearance& a, int size, Random& noise) {
  int supersample = std::max(1, (192 + size - 1) / size);
  Canvas canvas(size * supersample, a);
  draw_head(canvas, a);
  draw_eyes(canvas, e, a);
  draw_brows(canvas, e, a);
  draw_nose(canvas, e, a);
  draw_mouth(canvas, e, a);
  if (a.occluded) draw_occluder(canvas, a);
  cv::Mat small;
  cv::resize(canvas.image(), small, {size, size}, 0, 0, cv::INTER_AREA);
  small.convertTo(small, CV_32F);
  return photograph(small, a, noise);
}

}  // namespace synthetic_faces
