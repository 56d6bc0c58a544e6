// The EventSink the kernel hands to plugins: prints warnings, counts everything, and keeps the
// totals so they are recorded with each run that used the stage.
#pragma once

#include <ferlab/events.hpp>
#include <map>
#include <mutex>
#include <string>

namespace ferlab::run {

class EventLog : public EventSink {
 public:
  struct Entry {
    long count = 0;
    std::string first_message;
  };

  void warn(const std::string& code, const std::string& message) override;
  void count(const std::string& code, long n) override;
  std::map<std::string, Entry> entries() const;
  void merge(const EventLog& other);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ferlab::run
