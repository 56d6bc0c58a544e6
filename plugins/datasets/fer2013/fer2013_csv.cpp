#include "fer2013_csv.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <opencv2/core/utility.hpp>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "../common/labels.hpp"

namespace fer2013 {
namespace {

constexpr int kSide = 48;

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t end = line.find(separator, start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return fields;
    start = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct Columns {
  size_t emotion, pixels, usage;
};

Columns find_columns(std::string_view header, const std::string& file) {
  std::map<std::string, size_t> index;
  auto fields = split(header, ',');
  for (size_t i = 0; i < fields.size(); ++i)
    index[datasets::simplify(std::string(trim(fields[i])))] = i;
  for (const char* name : {"emotion", "pixels", "usage"})
    if (!index.count(name))
      throw std::runtime_error("fer2013: " + file + " line 1: no '" + name +
                               "' column (expected emotion,pixels,Usage)");
  return {index["emotion"], index["pixels"], index["usage"]};
}

// One data row, or the reason it is wrong.
struct Row {
  ferlab::Sample sample;
  std::string split, error;
};

Row parse_row(std::string_view line, const Columns& columns) {
  Row row;
  auto fields = split(line, ',');
  size_t needed = std::max({columns.emotion, columns.pixels, columns.usage}) + 1;
  if (fields.size() < needed) {
    row.error = std::to_string(fields.size()) + " fields, expected " + std::to_string(needed);
    return row;
  }
  std::string_view emotion = trim(fields[columns.emotion]);
  int label = -1;
  auto [end, ec] = std::from_chars(emotion.data(), emotion.data() + emotion.size(), label);
  if (ec != std::errc() || end != emotion.data() + emotion.size() || label < 0 || label > 6) {
    row.error = "unknown label '" + std::string(emotion) + "' (expected 0-6)";
    return row;
  }
  std::string_view usage = trim(fields[columns.usage]);
  row.split = datasets::split_name(std::string(usage));
  if (row.split.empty()) {
    row.error =
        "unknown Usage '" + std::string(usage) + "' (expected Training, PublicTest, PrivateTest)";
    return row;
  }
  cv::Mat image(kSide, kSide, CV_8UC1);
  std::string_view pixels = trim(fields[columns.pixels]);
  const char* p = pixels.data();
  const char* stop = p + pixels.size();
  int count = 0;
  while (p < stop) {
    while (p < stop && *p == ' ') ++p;
    if (p == stop) break;
    int value = 0;
    auto [next, err] = std::from_chars(p, stop, value);
    if (err != std::errc() || value < 0 || value > 255) {
      row.error = "pixel " + std::to_string(count + 1) + " is not a value in 0-255";
      return row;
    }
    if (count == kSide * kSide) {
      row.error = "more than " + std::to_string(kSide * kSide) + " pixel values";
      return row;
    }
    image.data[count++] = static_cast<unsigned char>(value);
    p = next;
  }
  if (count != kSide * kSide) {
    row.error = std::to_string(count) + " pixel values, expected " + std::to_string(kSide * kSide);
    return row;
  }
  row.sample.image = image;
  row.sample.label = label;
  return row;
}

// The file's text; a file past CsvLimits::file_bytes, or not a regular file (a FIFO or
// /dev/zero never ends), is refused before reading.
std::string read_bounded(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::exists(file, error) && !std::filesystem::is_regular_file(file, error))
    throw std::runtime_error("fer2013: " + file.string() + " is not a regular file");
  if (auto size = std::filesystem::file_size(file, error); !error && size > CsvLimits::file_bytes)
    throw std::runtime_error("fer2013: " + file.string() + " is " + std::to_string(size) +
                             " bytes, more than " + std::to_string(CsvLimits::file_bytes) +
                             " (the limit on the CSV's size; fer2013.csv is 301 MB)");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("fer2013: cannot open " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// The file's lines, checked against CsvLimits::rows and CsvLimits::line_bytes.
std::vector<std::string_view> bounded_lines(const std::string& text,
                                            const std::filesystem::path& file) {
  if (std::count(text.begin(), text.end(), '\n') > static_cast<std::ptrdiff_t>(CsvLimits::rows))
    throw std::runtime_error("fer2013: " + file.string() + ": more than " +
                             std::to_string(CsvLimits::rows) +
                             " rows (the limit on rows; FER2013 has 35887)");
  std::vector<std::string_view> lines = split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].size() > CsvLimits::line_bytes)
      throw std::runtime_error("fer2013: " + file.string() + " line " + std::to_string(i + 1) +
                               ": longer than " + std::to_string(CsvLimits::line_bytes) +
                               " bytes (the limit on a line; a row of 2304 pixels takes 4.6-9.3 "
                               "kB)");
  return lines;
}

}  // namespace

ferlab::DatasetContents read_csv(const std::filesystem::path& file) {
  const std::string text = read_bounded(file);
  std::vector<std::string_view> lines = bounded_lines(text, file);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty()) throw std::runtime_error("fer2013: " + file.string() + " is empty");
  Columns columns = find_columns(lines[0], file.string());

  std::vector<Row> rows(lines.size() - 1);
  cv::parallel_for_(cv::Range(0, static_cast<int>(rows.size())), [&](const cv::Range& r) {
    for (int i = r.start; i < r.end; ++i) rows[i] = parse_row(lines[i + 1], columns);
  });
  ferlab::DatasetContents contents;
  contents.classes = datasets::kFerClasses;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].error.empty())  // the first bad line, whatever the thread that parsed it
      throw std::runtime_error("fer2013: " + file.string() + " line " + std::to_string(i + 2) +
                               ": " + rows[i].error);
    rows[i].sample.id = "csv:" + std::to_string(i);
    contents.splits[rows[i].split].push_back(std::move(rows[i].sample));
  }
  return contents;
}

}  // namespace fer2013
