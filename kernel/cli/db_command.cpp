// `ferlab db merge OUT IN...`: one database from those of sharded runs.
#include <fmt/format.h>

#include "commands.hpp"
#include "storage/merge.hpp"
#include "storage/run_store.hpp"

namespace ferlab::cli {

void add_db_command(Command& app, GlobalOptions&) {
  auto* db = app.add_subcommand("db", "Maintain run databases");
  db->require_subcommand(1);
  auto* merge = db->add_subcommand(
      "merge", "Merge run databases (e.g. of --shard I/N processes) into OUT, without duplicates");
  struct Options {
    std::string out;
    std::vector<std::string> inputs;
  };
  auto o = std::make_shared<Options>();
  merge->add_option("out", o->out, "Database written (created when missing)")->required();
  merge->add_option("inputs", o->inputs, "Databases read")->required();
  merge->callback([o] {
    storage::RunStore out(o->out);
    for (const std::string& input : o->inputs) {
      storage::MergeCount n = storage::merge_database(out.database(), input);
      fmt::print(
          "{}: {} runs added, {} unfinished runs replaced by finished ones, {} already "
          "there\n",
          input, n.added, n.replaced, n.skipped);
    }
  });
}

}  // namespace ferlab::cli
