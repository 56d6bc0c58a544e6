#include "run/event_log.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace ferlab::run {

void EventLog::warn(const std::string& code, const std::string& message) {
  std::lock_guard lock(mutex_);
  Entry& e = entries_[code];
  // Print the first few of a kind; the total is recorded with the run anyway.
  if (e.count < 5)
    fmt::print(stderr, "warning: {}\n", message);
  else if (e.count == 5)
    fmt::print(stderr, "warning: more '{}' warnings; counting them\n", code);
  if (e.count++ == 0) e.first_message = message;
}

void EventLog::count(const std::string& code, long n) {
  std::lock_guard lock(mutex_);
  entries_[code].count += n;
}

std::map<std::string, EventLog::Entry> EventLog::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

void EventLog::merge(const EventLog& other) {
  auto theirs = other.entries();
  std::lock_guard lock(mutex_);
  for (const auto& [code, entry] : theirs) {
    Entry& mine = entries_[code];
    if (mine.count == 0) mine.first_message = entry.first_message;
    mine.count += entry.count;
  }
}

}  // namespace ferlab::run
