// io/io.cpp: package io's errors (src/io/io.go at go1.22.12).
#include "io.hpp"

namespace gort::io {
namespace {
constinit errorObject eofObject = errors::Static("EOF");
constinit errorObject unexpectedEOFObject = errors::Static("unexpected EOF");
constinit errorObject shortWriteObject = errors::Static("short write");
}  // namespace
const error EOF_{&eofObject};
const error ErrUnexpectedEOF{&unexpectedEOFObject};
const error ErrShortWrite{&shortWriteObject};
}  // namespace gort::io
