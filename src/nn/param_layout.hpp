#pragma once
// Where each layer's parameters sit in the one flat parameter buffer (STYLE.md: one flat
// buffer with views, so the optimizer and the loss scaler are single loops).
//   layer l: w (in, out) row-major at w_offset, then b (out) at b_offset.
#include <cstddef>
#include <vector>

namespace mixprec {

struct LayerShape {
  int in = 0;
  int out = 0;
  std::size_t w_offset = 0;  // w: (in, out)
  std::size_t b_offset = 0;  // b: (out)
};

class ParamLayout {
 public:
  ParamLayout(int input_dim, const std::vector<int>& hidden, int num_classes) {
    int in = input_dim;
    std::vector<int> widths = hidden;
    widths.push_back(num_classes);
    for (int out : widths) {
      LayerShape l{in, out, size_, size_ + std::size_t(in) * out};
      size_ = l.b_offset + out;
      layers_.push_back(l);
      in = out;
    }
  }
  const std::vector<LayerShape>& layers() const { return layers_; }
  std::size_t size() const { return size_; }
  int input_dim() const { return layers_.front().in; }
  int num_classes() const { return layers_.back().out; }
  int max_width() const {
    int w = 0;
    for (const auto& l : layers_) w = l.out > w ? l.out : w;
    return w;
  }

 private:
  std::vector<LayerShape> layers_;
  std::size_t size_ = 0;
};

}  // namespace mixprec
