// Binary form of the IR graph in a plan: values with symbolic dims, initializers and Tensor
// attributes as raw bytes in their own dtype, nodes with every attribute kind.
#include <limits>

#include "plan/format/byte_io.h"
#include "plan/format/plan.h"

namespace rankrt::plan {

namespace {

constexpr uint64_t kMaxRank = 64;

void write_dtype(ByteWriter& w, DType t) { w.u8(uint8_t(t)); }

DType read_dtype(ByteReader& r, const char* what) {
  const uint8_t v = r.u8(what);
  if (v > uint8_t(DType::kBool)) r.corrupt("{} has unknown dtype {}", what, v);
  return DType(v);
}

void write_tensor(ByteWriter& w, const Tensor& t) {
  w.boolean(!t.empty());
  if (t.empty()) return;
  write_dtype(w, t.dtype());
  w.u64(t.dims().size());
  for (int64_t d : t.dims()) w.i64(d);
  w.bytes(t.raw(), t.nbytes());
}

Tensor read_tensor(ByteReader& r) {
  if (!r.boolean("tensor presence")) return Tensor();
  const DType dtype = read_dtype(r, "tensor");
  const uint64_t rank = r.u64("tensor rank");
  if (rank > kMaxRank) r.corrupt("tensor rank {} exceeds {}", rank, kMaxRank);
  std::vector<int64_t> dims(rank);
  int64_t numel = 1;
  for (int64_t& d : dims) {
    d = r.i64("tensor dim");
    if (d < 0) r.corrupt("negative tensor dim {}", d);
    if (d > 0 && numel > std::numeric_limits<int64_t>::max() / d) r.corrupt("tensor size overflows");
    numel *= d;
  }
  if (uint64_t(numel) > r.remaining() / dtype_size(dtype))
    r.corrupt("tensor of {} {} values runs past the end of its section", numel, dtype_name(dtype));
  const size_t nbytes = size_t(numel) * dtype_size(dtype);
  const uint8_t* data = r.take(nbytes, "tensor data");
  if (dtype == DType::kBool)
    for (size_t i = 0; i < nbytes; ++i)
      if (data[i] > 1) r.corrupt("bool tensor value {} is not 0 or 1", data[i]);
  Tensor t(dtype, std::move(dims));
  if (nbytes) std::memcpy(t.raw(), data, nbytes);
  return t;
}

void write_shape(ByteWriter& w, const Shape& s) {
  w.u64(s.size());
  for (const Dim& d : s) {
    w.i64(d.value);
    w.string(d.symbol);
  }
}

Shape read_shape(ByteReader& r) {
  Shape s(r.count("shape rank", sizeof(int64_t) + sizeof(uint64_t)));
  if (s.size() > kMaxRank) r.corrupt("shape rank {} exceeds {}", s.size(), kMaxRank);
  for (Dim& d : s) {
    d.value = r.i64("dim");
    if (d.value < -1) r.corrupt("dim value {} is below -1", d.value);
    d.symbol = r.string("dim symbol");
  }
  return s;
}

void write_value_info(ByteWriter& w, const ValueInfo& v) {
  w.string(v.name);
  write_dtype(w, v.dtype);
  w.boolean(v.rank_known);
  write_shape(w, v.shape);
}

ValueInfo read_value_info(ByteReader& r) {
  ValueInfo v;
  v.name = r.string("value name");
  v.dtype = read_dtype(r, "value");
  v.rank_known = r.boolean("value rank_known");
  v.shape = read_shape(r);
  return v;
}

std::vector<ValueInfo> read_value_infos(ByteReader& r, const char* what) {
  std::vector<ValueInfo> v(r.count(what, sizeof(uint64_t) + 2 + sizeof(uint64_t)));
  for (ValueInfo& vi : v) vi = read_value_info(r);
  return v;
}

void write_attribute(ByteWriter& w, const Attribute& a) {
  w.u8(uint8_t(a.index()));
  std::visit(
      [&w](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          w.i64(v);
        } else if constexpr (std::is_same_v<T, double>) {
          w.f64(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          w.string(v);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          w.u64(v.size());
          for (int64_t x : v) w.i64(x);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          w.u64(v.size());
          for (double x : v) w.f64(x);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.strings(v);
        } else {
          write_tensor(w, v);
        }
      },
      a);
}

Attribute read_attribute(ByteReader& r) {
  const uint8_t kind = r.u8("attribute kind");
  switch (kind) {
    case 0:
      return r.i64("int attribute");
    case 1:
      return r.f64("float attribute");
    case 2:
      return r.string("string attribute");
    case 3: {
      std::vector<int64_t> v(r.count("ints attribute", sizeof(int64_t)));
      for (int64_t& x : v) x = r.i64("ints attribute");
      return v;
    }
    case 4: {
      std::vector<double> v(r.count("floats attribute", sizeof(double)));
      for (double& x : v) x = r.f64("floats attribute");
      return v;
    }
    case 5:
      return r.strings("strings attribute");
    case 6:
      return read_tensor(r);
  }
  r.corrupt("unknown attribute kind {}", kind);
}

void write_node(ByteWriter& w, const Node& n) {
  w.string(n.name);
  w.string(n.op);
  w.strings(n.inputs);
  w.strings(n.outputs);
  w.u64(n.attrs.size());
  for (const auto& [key, value] : n.attrs) {
    w.string(key);
    write_attribute(w, value);
  }
}

Node read_node(ByteReader& r) {
  Node n;
  n.name = r.string("node name");
  n.op = r.string("node op");
  n.inputs = r.strings("node inputs");
  n.outputs = r.strings("node outputs");
  const size_t attrs = r.count("node attributes", sizeof(uint64_t) + 1);
  for (size_t i = 0; i < attrs; ++i) {
    std::string key = r.string("attribute name");
    if (!n.attrs.emplace(key, read_attribute(r)).second)
      r.corrupt("node '{}' repeats attribute '{}'", n.name, key);
  }
  return n;
}

}  // namespace

void write_graph(ByteWriter& w, const Graph& g) {
  w.string(g.source);
  w.u64(g.inputs.size());
  for (const ValueInfo& v : g.inputs) write_value_info(w, v);
  w.u64(g.outputs.size());
  for (const ValueInfo& v : g.outputs) write_value_info(w, v);
  w.u64(g.initializers.size());
  for (const auto& [name, t] : g.initializers) {
    w.string(name);
    write_tensor(w, t);
  }
  w.u64(g.nodes.size());
  for (const Node& n : g.nodes) write_node(w, n);
  w.u64(g.value_info.size());
  for (const auto& [name, v] : g.value_info) write_value_info(w, v);
}

Graph read_graph(ByteReader& r) {
  Graph g;
  g.source = r.string("graph source");
  g.inputs = read_value_infos(r, "graph inputs");
  g.outputs = read_value_infos(r, "graph outputs");
  const size_t initializers = r.count("initializers", sizeof(uint64_t) + 1);
  for (size_t i = 0; i < initializers; ++i) {
    std::string name = r.string("initializer name");
    if (!g.initializers.emplace(name, read_tensor(r)).second)
      r.corrupt("initializer '{}' appears twice", name);
  }
  g.nodes.resize(r.count("nodes", 5 * sizeof(uint64_t)));
  for (Node& n : g.nodes) n = read_node(r);
  for (ValueInfo& v : read_value_infos(r, "value infos")) {
    std::string name = v.name;
    if (!g.value_info.emplace(name, std::move(v)).second) r.corrupt("value info '{}' appears twice", name);
  }
  return g;
}

}  // namespace rankrt::plan
