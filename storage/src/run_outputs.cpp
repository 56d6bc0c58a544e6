#include "storage/run_outputs.hpp"

#include "storage/probability_blob.hpp"

namespace ferlab::storage {
namespace {

std::optional<std::string> optional_text(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.text(column);
}

std::optional<std::int64_t> optional_integer(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return s.integer(column);
}

}  // namespace

std::vector<PredictionSet> run_predictions(Database& db, std::int64_t run) {
  Statement s(db, R"sql(SELECT split, tta, checkpoint, sample, true_class, predicted_class,
                               probabilities
                        FROM predictions WHERE run_id = ?
                        ORDER BY split, tta, checkpoint, sample)sql");
  s.bind(1, run);
  std::vector<PredictionSet> sets;
  while (s.step()) {
    if (sets.empty() || sets.back().split != s.text(0) || sets.back().tta != s.text(1) ||
        sets.back().checkpoint != s.text(2))
      sets.push_back({s.text(0), s.text(1), s.text(2), {}});
    sets.back().rows.push_back({s.text(3), static_cast<int>(s.integer(4)),
                                static_cast<int>(s.integer(5)), decode_probabilities(s.blob(6))});
  }
  return sets;
}

std::vector<Artifact> run_artifacts(Database& db, std::int64_t run, bool with_data) {
  Statement s(db, std::string("SELECT kind, name, path, sha256, best_by, mime, caption, bytes, "
                              "epoch, ") +
                      (with_data ? "data" : "NULL") +
                      " FROM artifacts WHERE run_id = ? ORDER BY id");
  s.bind(1, run);
  std::vector<Artifact> out;
  while (s.step()) {
    Artifact a;
    a.kind = s.text(0);
    a.name = s.text(1);
    a.path = optional_text(s, 2);
    a.sha256 = optional_text(s, 3);
    a.best_by = optional_text(s, 4);
    a.mime = optional_text(s, 5);
    a.caption = optional_text(s, 6);
    a.bytes = optional_integer(s, 7);
    a.epoch = optional_integer(s, 8);
    if (!s.is_null(9)) a.data = s.blob(9);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ferlab::storage
