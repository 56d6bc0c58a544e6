#include "storage/stale_runs.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

namespace ferlab::storage {

int mark_stale_runs(Database& db, const std::string& host, std::chrono::seconds max_age,
                    const std::function<bool(std::int64_t pid)>& alive) {
  Transaction t(db);
  std::vector<std::pair<std::int64_t, std::string>> stale;  // run, why
  {
    Statement s(db, R"sql(
      SELECT id, coalesce(host, ''), pid,
             (julianday('now') - julianday(coalesce(heartbeat, started))) * 86400.0
      FROM runs WHERE status = 'running')sql");
    while (s.step()) {
      const double age = s.real(3);
      if (age > static_cast<double>(max_age.count()))
        stale.emplace_back(s.integer(0),
                           fmt::format("no heartbeat for {:.0f} s: its process died", age));
      else if (s.text(1) == host && !s.is_null(2) && !alive(s.integer(2)))
        stale.emplace_back(s.integer(0),
                           fmt::format("its process {} on {} is gone", s.integer(2), host));
    }
  }
  Statement mark(db, R"sql(UPDATE runs SET status = 'interrupted', error = ?,
                             ended = coalesce(heartbeat, started) WHERE id = ?)sql");
  for (const auto& [run, why] : stale) mark.bind(1, why).bind(2, run).run();
  t.commit();
  return static_cast<int>(stale.size());
}

bool process_alive(std::int64_t pid) {
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  // A zombie has ended but still answers kill(): its parent has not reaped it yet (a process
  // whose parent died waits for init, and a container's init may never reap it). Its state
  // is the letter after the command's closing parenthesis in /proc/PID/stat.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(stat)), {});
  const std::size_t end = text.rfind(')');
  const char state = end != std::string::npos && end + 2 < text.size() ? text[end + 2] : '?';
  return state != 'Z' && state != 'X';
}

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace ferlab::storage
