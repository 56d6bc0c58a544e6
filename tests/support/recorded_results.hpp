// What a run records that must not depend on how it got there (being interrupted and resumed,
// the run being repeated): everything but times and speeds, as one comparable text.
#pragma once

#include <string>

#include "storage/sqlite.hpp"

namespace ferlab::testing_support {

// The runs' status, epochs, metrics, confusion counts, predictions (probabilities bit for bit)
// and the best checkpoint's epoch, with its hash unless the spec in its metadata may differ
// (an extended run).
inline std::string recorded_results(const std::string& db, bool with_checkpoint_hash = true) {
  storage::Database d(db, false);
  std::string out;
  const std::string best_checkpoint = std::string("SELECT name, epoch") +
                                      (with_checkpoint_hash ? ", sha256" : "") +
                                      " FROM artifacts WHERE kind = 'checkpoint' AND name = 'best'";
  for (const std::string& sql :
       {std::string("SELECT status, variant, seed FROM runs"),
        std::string("SELECT epoch, split, loss, accuracy, macro_f1, lr FROM epochs ORDER BY "
                    "epoch, split"),
        std::string("SELECT split, tta, checkpoint, name, class, value FROM metrics ORDER BY 1, "
                    "2, 3, 4, 5"),
        std::string("SELECT split, tta, checkpoint, true_class, predicted_class, count FROM "
                    "confusion ORDER BY 1, 2, 3, 4, 5"),
        std::string("SELECT split, tta, checkpoint, sample, predicted_class, hex(probabilities) "
                    "FROM predictions ORDER BY 1, 2, 3, 4"),
        best_checkpoint}) {
    storage::Statement s(d, sql);
    while (s.step()) {
      for (int c = 0; c < s.columns(); ++c) out += s.text(c) + "|";
      out += "\n";
    }
  }
  return out;
}

}  // namespace ferlab::testing_support
