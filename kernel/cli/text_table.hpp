// A table printed either as aligned plain text (terminals) or as GitHub Markdown (README
// results generated from the run database), from the same cells.
#pragma once

#include <string>
#include <vector>

namespace ferlab::cli {

enum class TableFormat { plain, markdown };

struct TextTable {
  struct Column {
    std::string title;
    bool numeric = false;  // right-aligned
  };
  struct Row {
    std::vector<std::string> cells;
    std::string note;  // plain text only: printed on its own line under the row
  };
  std::vector<Column> columns;
  std::vector<Row> rows;
};

std::string render(const TextTable& table, TableFormat format);

}  // namespace ferlab::cli
