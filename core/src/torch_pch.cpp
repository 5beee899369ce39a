// Owner of the shared LibTorch precompiled header (see aecnn_use_torch_pch in the
// top-level CMakeLists.txt); it has no code of its own.
