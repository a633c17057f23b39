// A restricted reader for Python pickles, enough for PyTorch state dicts.
//
//   Expected<PickleDocument> doc = unpickle(bytes);
//   if (!doc) return makeError(label + ": " + doc.error());
//   const PickleObject* root = doc->root();
//   if (root->kind == PickleKind::Dict) ...
//
// Python's own unpickler calls whatever the file names, which is how a
// malicious .pth file runs code. This one never calls anything: the virtual
// machine only builds values. GLOBAL may name only what a state dict needs
// (collections.OrderedDict, torch._utils._rebuild_tensor[_v2],
// torch._utils._rebuild_parameter and the torch.*Storage classes); any other
// name stops the read at that opcode with a message naming it. Calls of the
// allowed names (REDUCE, NEWOBJ, ...) are recorded as PickleKind::Call values
// for the caller to interpret; only OrderedDict() is evaluated, to a dict.
// Persistent ids (torch's storage references) are recorded, not resolved.
//
// Hostile input is expected: every length is checked against the bytes left,
// every stack, mark and memo access is checked, and the number of objects is
// capped, so no input can crash the reader or make it allocate much more
// memory than a small multiple of the input size. Values may form cycles
// (a list appended to itself); the document owns them all in one arena, so
// cycles cannot leak, but code walking a document must bound its depth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace rnnpool {

enum class PickleKind : uint8_t {
    None,
    Bool,
    Int,    // fits in int64
    BigInt, // does not; `text` holds its little-endian two's-complement bytes
    Float,
    String, // str, and protocol 0-2 byte strings (which Python 3 reads as str)
    Bytes,
    Tuple,
    List,
    Set,
    Dict,
    Global,       // an allowed class or function; `text` is "module.name"
    Call,         // items = {callable (a Global), args (a Tuple)[, kwargs]}
    PersistentId, // items = {the persistent id object}
};

std::string_view pickleKindName(PickleKind kind); // "int", "dict", "call", ...

struct PickleObject {
    PickleKind kind = PickleKind::None;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    std::string text;
    std::vector<PickleObject*> items;                              // Tuple, List, Set, Call, PersistentId
    std::vector<std::pair<PickleObject*, PickleObject*>> entries; // Dict, in insertion order
    PickleObject* state = nullptr;                                 // what BUILD attached, if anything

    bool is(PickleKind k) const { return kind == k; }
    bool isString(std::string_view s) const { return kind == PickleKind::String && text == s; }
    bool isGlobal(std::string_view qualifiedName) const { return kind == PickleKind::Global && text == qualifiedName; }
    // The value stored under a string key of a Dict (the last one wins, as in
    // Python); nullptr when absent or when this is not a Dict.
    const PickleObject* find(std::string_view key) const;
};

struct PickleLimits {
    size_t maxObjects = size_t{1} << 21; // about 200 MB of objects at most
    size_t maxMarkDepth = 4096;
    // References the pickle makes the reader store or copy (list items, dict
    // entries, call arguments, values taken from a MARK), counted as they are
    // made: the objects alone do not bound the memory, as one list of 2 M
    // pairs handed 2,000 times to OrderedDict costs 4·10^9 entries from a
    // 2 MB file. 2^25 references are about 512 MB at most; real checkpoints
    // use under 10^5.
    size_t maxWork = size_t{1} << 25;
};

class PickleDocument {
public:
    PickleDocument() = default;
    PickleDocument(PickleDocument&&) = default; // moving a deque keeps its elements in place
    PickleDocument& operator=(PickleDocument&&) = default;
    PickleDocument(const PickleDocument&) = delete; // a copy's pointers would lead into the original
    PickleDocument& operator=(const PickleDocument&) = delete;

    const PickleObject* root() const { return m_root; }
    // Where the pickle's STOP opcode ended: formats such as PyTorch's legacy
    // checkpoints put several pickles and raw data one after another.
    size_t bytesConsumed() const { return m_consumed; }
    // Every persistent id the pickle loaded, in order of appearance.
    const std::vector<const PickleObject*>& persistentIds() const { return m_persistentIds; }
    size_t objectCount() const { return m_objects.size(); }

private:
    friend class PickleMachine;
    std::deque<PickleObject> m_objects; // a deque never moves its elements, so pointers stay valid
    std::vector<const PickleObject*> m_persistentIds;
    const PickleObject* m_root = nullptr;
    size_t m_consumed = 0;
};

// Runs the pickle at the start of `bytes` up to its STOP opcode. Errors say
// what is wrong and at which byte, without naming a file (callers prefix it).
Expected<PickleDocument> unpickle(std::span<const uint8_t> bytes, const PickleLimits& limits = {});

// Whether GLOBAL may name module.name. Public for tests and for messages.
bool isAllowedGlobal(std::string_view module, std::string_view name);

} // namespace rnnpool
