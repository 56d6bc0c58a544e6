// Images as datasets, preprocessors and augmenters exchange them.
#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace ferlab {

// One labelled image. Pixels stay 8-bit (CV_8UC1 or CV_8UC3) until they enter the network, so
// a whole dataset fits in memory.
struct Sample {
  cv::Mat image;
  int label = -1;  // index into DatasetContents::classes
  std::string id;  // stable: a file path relative to the dataset root, or "csv:<row>"
};

// Split name -> samples. Split names are "train", "val", "test" (and per fold for k-fold).
struct DatasetContents {
  std::vector<std::string> classes;
  std::map<std::string, std::vector<Sample>> splits;
};

}  // namespace ferlab
