// `ferlab report`: a self-contained HTML page comparing recorded runs.
#include <fmt/format.h>

#include "commands.hpp"
#include "report/report.hpp"

namespace ferlab::cli {

void add_report_command(Command& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand("report",
                                 "Write one self-contained HTML page comparing the recorded runs");
  struct Options {
    std::string db = "ferlab.db", experiment, out;
    std::vector<std::int64_t> runs;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "Run database (SQLite)")->capture_default_str();
  auto* experiment = cmd->add_option("--experiment", o->experiment, "The runs of this experiment");
  cmd->add_option("--runs", o->runs, "These run ids (comma-separated), see ferlab runs")
      ->delimiter(',')
      ->excludes(experiment);
  cmd->add_option("--out", o->out, "The HTML file to write")->required();
  cmd->callback([o] {
    std::optional<std::string> experiment;
    if (!o->experiment.empty()) experiment = o->experiment;
    report::write_report(o->db, experiment, o->runs, o->out);
    fmt::print("report written to {}\n", o->out);
  });
}

}  // namespace ferlab::cli
