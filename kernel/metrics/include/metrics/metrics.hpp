// Classification metrics from a confusion matrix.
#pragma once

#include <cstdint>
#include <vector>

namespace ferlab::metrics {

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

struct ClassMetrics {
  // 0 where undefined: precision of a class never predicted, recall of a class with no
  // samples, F1 of a class with neither (scikit-learn's zero_division=0).
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;  // samples of this class
};

// The final figures of one evaluation. Never NaN (SQLite would store NULL).
struct Metrics {
  double accuracy = 0;
  double balanced_accuracy = 0;  // mean recall over the classes that have samples
  double macro_f1 = 0;           // as Confusion::macro_f1
  double weighted_f1 = 0;        // F1 weighted by support
  double kappa = 0;              // Cohen's; 0 when chance agreement is already 1
  double top2_accuracy = 0;      // the true class among the two most probable
  double log_loss = 0;           // mean -ln p(true class), p clipped to 1e-15
  std::vector<ClassMetrics> per_class;
};

// Metrics of probabilistic predictions (one probability vector of `classes` per sample); the
// predicted class is the argmax. Throws std::invalid_argument on a label or size mismatch.
Metrics classification_metrics(const std::vector<int>& truth,
                               const std::vector<std::vector<float>>& probabilities, int classes);

}  // namespace ferlab::metrics
