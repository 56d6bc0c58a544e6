// What a run records that must not depend on how it got there (being interrupted and resumed,
// the run being repeated): everything but times and speeds, as one comparable text.
#pragma once

#include <string>

#include "storage/sqlite.hpp"

namespace ferlab::testing_support {

// The runs' status, epochs, metrics, confusion counts, predictions (probabilities bit for bit)
// and the best checkpoint's epoch, with its hash unless the spec in its metadata may differ
// (an extended run, a database written elsewhere); run by run in (variant, seed) order, so that
// databases whose runs got other ids compare equal.
inline std::string recorded_results(const std::string& db, bool with_checkpoint_hash = true) {
  storage::Database d(db, false);
  std::string out;
  const std::string run = "SELECT r.variant, r.seed, ";
  const std::string of_run = " JOIN runs r ON r.id = t.run_id ORDER BY 1, 2, ";
  for (const std::string& sql :
       {std::string("SELECT variant, seed, status FROM runs ORDER BY 1, 2"),
        run + "t.epoch, t.split, t.loss, t.accuracy, t.macro_f1, t.lr FROM epochs t" + of_run +
            "3, 4",
        run + "t.split, t.tta, t.checkpoint, t.name, t.class, t.value FROM metrics t" + of_run +
            "3, 4, 5, 6, 7",
        run +
            "t.split, t.tta, t.checkpoint, t.true_class, t.predicted_class, t.count FROM "
            "confusion t" +
            of_run + "3, 4, 5, 6, 7",
        run +
            "t.split, t.tta, t.checkpoint, t.sample, t.predicted_class, hex(t.probabilities) "
            "FROM predictions t" +
            of_run + "3, 4, 5, 6",
        run + "t.name, t.epoch" + (with_checkpoint_hash ? ", t.sha256" : "") +
            " FROM artifacts t JOIN runs r ON r.id = t.run_id WHERE t.kind = 'checkpoint' AND "
            "t.name = 'best' ORDER BY 1, 2"}) {
    storage::Statement s(d, sql);
    while (s.step()) {
      for (int c = 0; c < s.columns(); ++c) out += s.text(c) + "|";
      out += "\n";
    }
  }
  return out;
}

}  // namespace ferlab::testing_support
