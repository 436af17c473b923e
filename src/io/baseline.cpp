// Baseline / result score files (text, one line per sample) and selection of the scored column.
#include "io/baseline.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rankrt {

std::vector<double> select_scores(const TensorMap& outputs, const Graph& graph, const ScoreSelector& sel) {
  std::string name = sel.output;
  if (name.empty()) {
    if (graph.outputs.empty()) fail(ErrorCode::kData, "{}: the model has no outputs to score", graph.source);
    name = graph.outputs.front().name;
  }
  auto it = outputs.find(name);
  if (it == outputs.end()) {
    std::string known;
    for (const auto& [n, t] : outputs) known += (known.empty() ? "" : ", ") + n;
    fail(ErrorCode::kUsage, "output '{}' is not an output of {} (outputs: {})", name, graph.source, known);
  }
  const Tensor& t = it->second;
  // Rank 0 and 1 outputs hold one value per row.
  const int64_t cols = t.rank() <= 1 ? 1 : t.dims().back();
  const int64_t col = sel.column < 0 ? cols + sel.column : sel.column;
  if (col < 0 || col >= cols)
    fail(ErrorCode::kUsage, "column {} is out of range for output '{}' of shape {}", sel.column, name,
         dims_to_string(t.dims()));
  std::vector<double> scores;
  const int64_t rows = cols == 0 ? 0 : t.numel() / cols;
  scores.reserve(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) scores.push_back(t.as_double(r * cols + col));
  return scores;
}

ScoreTable read_scores(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(ErrorCode::kIo, "{}: cannot open score file", path);
  ScoreTable table;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<double>& values = table.emplace_back();
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) {
      char* end = nullptr;
      const double v = std::strtod(token.c_str(), &end);
      if (end != token.c_str() + token.size())
        fail(ErrorCode::kData, "{}:{}: '{}' is not a number", path, line_no, token);
      values.push_back(v);
    }
  }
  if (in.bad()) fail(ErrorCode::kIo, "{}: read error", path);
  return table;
}

void write_scores(const std::string& path, const ScoreTable& scores) {
  std::ofstream out(path);
  if (!out) fail(ErrorCode::kIo, "{}: cannot open for writing", path);
  for (const std::vector<double>& line : scores) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      if (i) text += ' ';
      text += fmt::format("{:.9e}", line[i]);
    }
    out << text << '\n';
  }
  out.flush();
  if (!out) fail(ErrorCode::kIo, "{}: write failed", path);
}

}  // namespace rankrt
