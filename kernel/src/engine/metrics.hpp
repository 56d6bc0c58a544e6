// Classification metrics from a confusion matrix.
#pragma once

#include <cstdint>
#include <vector>

namespace ferlab::engine {

class Confusion {
 public:
  explicit Confusion(int classes) : classes_(classes), counts_(classes * classes, 0) {}
  void add(int truth, int predicted) { ++counts_[truth * classes_ + predicted]; }
  std::int64_t count(int truth, int predicted) const {
    return counts_[truth * classes_ + predicted];
  }
  std::int64_t total() const;
  double accuracy() const;
  // Mean F1 over the classes that occur in the truth or the predictions (as scikit-learn).
  double macro_f1() const;

 private:
  int classes_;
  std::vector<std::int64_t> counts_;
};

// Index of the largest of n values (the first on ties).
int argmax(const float* values, int n);

}  // namespace ferlab::engine
