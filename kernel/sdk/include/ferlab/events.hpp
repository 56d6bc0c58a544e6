// Where plugins report what they noticed (skipped files, faces not found) so that nothing is
// dropped silently: the kernel prints each warning and records the counts with the run.
#pragma once

#include <ferlab/export.hpp>
#include <string>

namespace ferlab {

class FERLAB_API EventSink {
 public:
  virtual ~EventSink();
  // code: a stable short name ("corrupt-image", "no-face"); message: what happened, naming
  // the file or sample. Thread-safe.
  virtual void warn(const std::string& code, const std::string& message) = 0;
  // Counts an occurrence without printing (for frequent events: one per image).
  virtual void count(const std::string& code, long n = 1) = 0;
};

}  // namespace ferlab
