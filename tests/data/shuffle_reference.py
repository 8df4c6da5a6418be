#!/usr/bin/env python3
# Regenerates the golden permutations pinned in split_test.cpp and load_data_test.cpp:
#   python3 tests/data/shuffle_reference.py
# Independent reference: mt19937_64 (Matsumoto & Nishimura 2004 / C++ [rand.eng.mers]),
# rejection-sampled uniform_below and Fisher-Yates from n-1 down, as specified in split.hpp.
M = (1 << 64) - 1
class MT64:
    def __init__(s, seed):
        s.mt = [seed & M]
        for i in range(1, 312):
            p = s.mt[-1]
            s.mt.append((6364136223846793005 * (p ^ (p >> 62)) + i) & M)
        s.i = 312
    def __call__(s):
        if s.i >= 312:
            for k in range(312):
                x = (s.mt[k] & 0xFFFFFFFF80000000) | (s.mt[(k + 1) % 312] & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1: xa ^= 0xB5026F5AA96619E9
                s.mt[k] = s.mt[(k + 156) % 312] ^ xa
            s.i = 0
        y = s.mt[s.i]; s.i += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & M
def splitmix64(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
def uniform_below(r, b):
    t = ((1 << 64) - b) % b
    while True:
        v = r()
        if v >= t: return v % b
def shuffled(n, r):
    o = list(range(n))
    for i in range(n - 1, 0, -1):
        j = uniform_below(r, i + 1); o[i], o[j] = o[j], o[i]
    return o
r = MT64(5489)
for _ in range(9999): r()
print("10000th", r())
print("splitmix64(0)", splitmix64(0), "splitmix64(1)", splitmix64(1))
print("perm10 seed42", shuffled(10, MT64(42)))
print("perm10 seed smx(0)", shuffled(10, MT64(splitmix64(0))))
# load_data on 10 CSV rows with test_fraction 0.2, seed 7: first 2 of the permutation are test
r = MT64(splitmix64(7)); p = shuffled(10, r); print("seed7 test rows", p[:2], "train", p[2:])
# then validation 0.25 of the 8 kept rows: round(2.0)=2
kept = p[2:]; q = shuffled(8, r); print("seed7 val rows", [kept[i] for i in q[:2]], "train", [kept[i] for i in q[2:]])
