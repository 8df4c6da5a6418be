#include "kernels/matmul.hpp"

#include <cstring>
#include <stdexcept>
#include <vector>

#include <dnnl.hpp>

#include "precision/convert.hpp"
#include "kernels/weight_pack.hpp"

namespace mixprec {
namespace {

// The format every product can run in: each value of the narrower formats widens to it
// exactly, so an operand without a native kernel is multiplied there (NUMERICS.md).
constexpr Format kCarrier = kFloatFormat;

// oneDNN's type of a storage type. Formats without one (the FP8 rows run on a carrier,
// NUMERICS.md "Kernels") are refused by dispatch_format, as a logic error.
template <typename T> constexpr dnnl::memory::data_type dnnl_type_of();
template <> constexpr dnnl::memory::data_type dnnl_type_of<float>() { return dnnl::memory::data_type::f32; }
template <> constexpr dnnl::memory::data_type dnnl_type_of<f16>() { return dnnl::memory::data_type::f16; }
template <> constexpr dnnl::memory::data_type dnnl_type_of<bf16>() { return dnnl::memory::data_type::bf16; }

dnnl::memory::data_type dnnl_type(Format f) {
  return dispatch_format(f, [](auto tag) { return dnnl_type_of<decltype(tag)>(); });
}

// Row-major (rows, cols) logical matrix, stored transposed when `transposed`.
dnnl::memory::desc matrix_desc(int rows, int cols, dnnl::memory::data_type type, bool transposed) {
  dnnl::memory::dims strides = transposed ? dnnl::memory::dims{1, rows}
                                          : dnnl::memory::dims{cols, 1};
  return dnnl::memory::desc({rows, cols}, type, strides);
}

// The layout pack_b writes, as oneDNN names it (kernels/weight_pack.hpp).
dnnl::memory::desc packed_desc(int k, int n, dnnl::memory::data_type type) {
  using tag = dnnl::memory::format_tag;
  return dnnl::memory::desc({k, n}, type,
                            dnnl::memory::data_type_size(type) == 2 ? tag::BA16a64b2a : tag::BA16a64b);
}

// oneDNN falls back to reference C++ loops ("ref:any") when no vector kernel exists;
// those are far too slow to time, so we treat them as "no native path".
bool is_reference(const std::string& impl) { return impl.find("ref") != std::string::npos; }

}  // namespace

struct Matmul::Impl {
  // transpose_b is meaningless for a packed b, which has a key of its own.
  enum class B { kPlain, kTransposed, kPacked };
  // What the kernel does to the accumulators before storing them.
  enum class Epilogue { kNone, kBiasRelu };
  using Key = std::tuple<Format, bool, B, int, int, int, Epilogue>;
  struct Entry {
    dnnl::matmul primitive;
    dnnl::memory a, b, c, bias;
    // The C API with arguments built once: the C++ execute() builds a vector on every call.
    dnnl_exec_arg_t args[4];
    int num_args = 3;
  };

  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, Entry> entries;
  std::map<Format, MatmulPath> paths;
  std::map<std::tuple<Format, int, int>, bool> packed_shapes;
  // Emulated path: fp32 copies of the 16-bit operands, grown to the largest shape seen.
  std::vector<float> a32, b32;

  Entry& entry(Format f, bool ta, B b, int m, int n, int k, Epilogue epilogue = Epilogue::kNone) {
    Key key{f, ta, b, m, n, k, epilogue};
    auto it = entries.find(key);
    if (it != entries.end()) return it->second;
    auto type = dnnl_type(f);
    auto a_desc = matrix_desc(m, k, type, ta);
    auto b_desc = b == B::kPacked ? packed_desc(k, n, type)
                                  : matrix_desc(k, n, type, b == B::kTransposed);
    auto c_desc = matrix_desc(m, n, dnnl::memory::data_type::f32, false);
    const bool bias_relu = epilogue == Epilogue::kBiasRelu;
    auto bias_desc = matrix_desc(1, n, dnnl::memory::data_type::f32, false);
    dnnl::primitive_attr attr;
    if (bias_relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd(
        bias_relu ? dnnl::matmul::desc(a_desc, b_desc, bias_desc, c_desc)
                  : dnnl::matmul::desc(a_desc, b_desc, c_desc),
        attr, engine);
    if (b == B::kPacked && is_reference(pd.impl_info_str()))
      throw std::logic_error("matmul: packed weights reached oneDNN's reference kernel");
    Entry e{dnnl::matmul(pd), dnnl::memory(a_desc, engine, DNNL_MEMORY_NONE),
            dnnl::memory(b_desc, engine, DNNL_MEMORY_NONE),
            dnnl::memory(c_desc, engine, DNNL_MEMORY_NONE),
            dnnl::memory(bias_desc, engine, DNNL_MEMORY_NONE), {}, bias_relu ? 4 : 3};
    Entry& stored = entries.emplace(key, std::move(e)).first->second;
    stored.args[0] = {DNNL_ARG_SRC, stored.a.get()};
    stored.args[1] = {DNNL_ARG_WEIGHTS, stored.b.get()};
    stored.args[2] = {DNNL_ARG_DST, stored.c.get()};
    stored.args[3] = {DNNL_ARG_BIAS, stored.bias.get()};
    return stored;
  }

  void run(Entry& e, const void* a, const void* b, float* c, const float* bias = nullptr) {
    e.a.set_data_handle(const_cast<void*>(a));
    e.b.set_data_handle(const_cast<void*>(b));
    e.c.set_data_handle(c);
    if (bias) e.bias.set_data_handle(const_cast<float*>(bias));
    dnnl::error::wrap_c_api(
        dnnl_primitive_execute(e.primitive.get(), stream.get(), e.num_args, e.args),
        "matmul execute");
    stream.wait();
  }
};

Matmul::Matmul() : impl_(std::make_unique<Impl>()) {}
Matmul::~Matmul() = default;

const MatmulPath& Matmul::path(Format format) {
  auto it = impl_->paths.find(format);
  if (it != impl_->paths.end()) return it->second;
  MatmulPath p{format, false, "none"};
  try {
    // Probe at the benchmark MLP's shape; the answer does not depend on the shape.
    auto type = dnnl_type(format);
    dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(matrix_desc(128, 784, type, false), matrix_desc(784, 512, type, false),
                           matrix_desc(128, 512, dnnl::memory::data_type::f32, false)),
        impl_->engine);
    p.impl = pd.impl_info_str();
    p.native = !is_reference(p.impl);
  } catch (const dnnl::error&) {
    p.native = false;  // oneDNN has no implementation at all for this format here
  }
  if (format == kCarrier) p.native = true;
  if (!p.native) p.impl = "converted to " + to_string(kCarrier) + ", " + this->path(kCarrier).impl;
  MatmulPath& stored = impl_->paths.emplace(format, p).first->second;
  stored.subnormal_inputs_as_zero = subnormal_product_is_zero(format);  // uses the path
  return stored;
}

bool Matmul::subnormal_product_is_zero(Format format) {
  // (16 x 32) * (32 x 16) with a[0][0] = a subnormal of the format and b[0][0] = 1: c[0][0]
  // is that subnormal on an exact path, 0 on one that flushes its inputs.
  constexpr int m = 16, n = 16, k = 32;
  const float subnormal = traits(format).smallest_normal / 16.0f;
  std::vector<float> a32(std::size_t(m) * k, 0.0f), b32(std::size_t(k) * n, 0.0f);
  a32[0] = subnormal;
  b32[0] = 1.0f;
  Buffer a(format, a32.size()), b(format, b32.size());
  round_from_float(a32.data(), format, a.data(), a32.size(), kNearestEven, nullptr);
  round_from_float(b32.data(), format, b.data(), b32.size(), kNearestEven, nullptr);
  std::vector<float> c(std::size_t(m) * n, -1.0f);
  multiply(format, a.data(), false, b.data(), false, c.data(), m, n, k);
  return c[0] == 0.0f;
}

void Matmul::multiply(Format a_format, const void* a, bool transpose_a, Format b_format,
                      const void* b, bool transpose_b, float* c, int m, int n, int k) {
  Format format = a_format;
  if (a_format != b_format || !path(a_format).native) {
    // Exact conversion to fp32: every fp16 and bf16 value is representable in fp32.
    auto widen = [](Format f, const void* x, std::vector<float>& scratch, std::size_t size) {
      if (f == kCarrier) return x;
      if (scratch.size() < size) scratch.resize(size);  // grows to the largest shape, once
      convert_to_float(f, x, scratch.data(), size);
      return static_cast<const void*>(scratch.data());
    };
    a = widen(a_format, a, impl_->a32, std::size_t(m) * k);
    b = widen(b_format, b, impl_->b32, std::size_t(k) * n);
    format = kCarrier;
  }
  const auto b_kind = transpose_b ? Impl::B::kTransposed : Impl::B::kPlain;
  impl_->run(impl_->entry(format, transpose_a, b_kind, m, n, k), a, b, c);
}

void Matmul::multiply_bias_relu(const float* a, const float* b, const float* bias, float* c,
                                int m, int n, int k) {
  impl_->run(impl_->entry(kCarrier, false, Impl::B::kPlain, m, n, k, Impl::Epilogue::kBiasRelu),
             a, b, c, bias);
}

bool Matmul::reads_packed(Format b_format, int k, int n) {
  const int bytes = traits(b_format).storage_bytes;
  if ((bytes != 4 && bytes != 2) || !path(b_format).native) return false;  // weight_pack.hpp
  auto key = std::make_tuple(b_format, k, n);
  auto it = impl_->packed_shapes.find(key);
  if (it != impl_->packed_shapes.end()) return it->second;
  // Let oneDNN choose b's layout ("any") and compare it with ours. The choice does not
  // depend on m (checked from 1 to 1000 rows on oneDNN 2.6); 128 is the usual batch.
  auto type = dnnl_type(b_format);
  dnnl::matmul::primitive_desc pd(
      dnnl::matmul::desc(matrix_desc(128, k, type, false),
                         dnnl::memory::desc({k, n}, type, dnnl::memory::format_tag::any),
                         matrix_desc(128, n, dnnl::memory::data_type::f32, false)),
      impl_->engine);
  const bool same = pd.weights_desc() == packed_desc(k, n, type) &&
                    !is_reference(pd.impl_info_str());
  impl_->packed_shapes.emplace(key, same);
  return same;
}

void Matmul::multiply_packed(Format a_format, const void* a, bool transpose_a, Format b_format,
                             const void* packed_b, float* c, int m, int n, int k) {
  if (!reads_packed(b_format, k, n))
    throw std::logic_error("matmul: packed product for a shape that has no packed layout");
  if (a_format != b_format)
    throw std::logic_error("matmul: a packed b needs a of the same format");
  impl_->run(impl_->entry(b_format, transpose_a, Impl::B::kPacked, m, n, k), a, packed_b, c);
}

Matmul& matmul() {
  static Matmul instance;
  return instance;
}

}  // namespace mixprec
