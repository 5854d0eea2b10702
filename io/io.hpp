// io/io.hpp: the errors of package io (src/io/io.go at go1.22.12) that
// reads and writes report: EOF, ErrUnexpectedEOF and ErrShortWrite.
#pragma once
#include "../errors/errors.hpp"

namespace gort::io {

/// EOF_: Read's error when there is no more input.
/// Departure: Go's name is EOF, which the C library defines as a macro.
/// \gosrc{io/io.go,EOF}
extern const error EOF_;

/// ErrUnexpectedEOF: the input ended in the middle of something.
/// \gosrc{io/io.go,ErrUnexpectedEOF}
extern const error ErrUnexpectedEOF;

/// ErrShortWrite: a write took fewer bytes than asked, without an error.
/// \gosrc{io/io.go,ErrShortWrite}
extern const error ErrShortWrite;

}  // namespace gort::io
