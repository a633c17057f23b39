#include "io/pickle.h"

#include <array>
#include <bit>
#include <charconv>
#include <cstdio>
#include <new>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "io/dtype.h"
#include "io/pickle_text.h"

namespace rnnpool {
namespace {

constexpr std::array<std::string_view, 10> kStorageClasses{"FloatStorage", "DoubleStorage", "HalfStorage",
    "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"};

// Why a name is refused. Storage types and tensor kinds we cannot convert are
// not attacks, so they get a plainer message than real code does.
std::string refusal(std::string_view module, std::string_view name)
{
    const std::string qualified = std::string(module) + "." + std::string(name);
    if (module == "torch" && name.ends_with("Storage"))
        return "unsupported storage type '" + qualified + "' (supported: float, double, half, bfloat16, "
               "long, int, short, char, byte and bool storages)";
    if (module == "torch._utils" && name.starts_with("_rebuild_"))
        return "unsupported tensor kind '" + qualified + "' (only dense tensors can be read)";
    if (qualified == "torch.storage._load_from_bytes")
        return "refuses to load '" + qualified + "': a model file may only hold tensors (this file wants to "
               "run code: it hides a second, unrestricted pickle inside the first)";
    if (module.starts_with("torch.nn.") || module == "torch.nn")
        return "refuses to load '" + qualified + "': a model file may only hold tensors (this file pickles a whole "
               "model, and loading it would run code; save model.state_dict() instead)";
    return "refuses to load '" + qualified + "': a model file may only hold tensors (this file wants to run code)";
}

// Thrown inside the machine only, and caught in run(): it keeps the dozens of
// checks below to one line each. Nothing escapes unpickle().
struct PickleFailure {
    std::string message;
};

} // namespace

std::string_view pickleKindName(PickleKind kind)
{
    switch (kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return "bool";
    case PickleKind::Int: return "int";
    case PickleKind::BigInt: return "int";
    case PickleKind::Float: return "float";
    case PickleKind::String: return "str";
    case PickleKind::Bytes: return "bytes";
    case PickleKind::Tuple: return "tuple";
    case PickleKind::List: return "list";
    case PickleKind::Set: return "set";
    case PickleKind::Dict: return "dict";
    case PickleKind::Global: return "global";
    case PickleKind::Call: return "call";
    case PickleKind::PersistentId: return "persistent id";
    }
    return "?";
}

const PickleObject* PickleObject::find(std::string_view key) const
{
    if (kind != PickleKind::Dict)
        return nullptr;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->first->isString(key))
            return it->second;
    return nullptr;
}

bool isAllowedGlobal(std::string_view module, std::string_view name)
{
    if (module == "collections")
        return name == "OrderedDict";
    if (module == "torch._utils")
        return name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter";
    if (module == "torch")
        for (std::string_view storage : kStorageClasses)
            if (name == storage)
                return true;
    return false;
}

class PickleMachine {
public:
    PickleMachine(std::span<const uint8_t> bytes, const PickleLimits& limits) : m_bytes(bytes), m_limits(limits) {}

    Expected<PickleDocument> run()
    {
        try {
            while (m_pos < m_bytes.size()) {
                m_opcodeStart = m_pos;
                if (step())
                    return std::move(m_doc);
            }
            throw PickleFailure{"the pickle ends without its STOP opcode (truncated?)"};
        } catch (const PickleFailure& failure) {
            return makeError(failure.message);
        } catch (const std::bad_alloc&) {
            return makeError("the pickle needs more memory than is available");
        } catch (const std::length_error&) {
            return makeError("the pickle needs more memory than is available");
        }
    }

private:
    // ---- failures -------------------------------------------------------
    [[noreturn]] void malformed(const std::string& why) const
    {
        char opcode[8];
        std::snprintf(opcode, sizeof opcode, "0x%02x", m_bytes[m_opcodeStart]);
        throw PickleFailure{"malformed pickle at byte " + std::to_string(m_opcodeStart) + " (opcode " + opcode
            + "): " + why};
    }
    [[noreturn]] void truncated() const
    {
        throw PickleFailure{"the pickle ends early at byte " + std::to_string(m_bytes.size()) + " (truncated?)"};
    }

    // ---- input ----------------------------------------------------------
    size_t remaining() const { return m_bytes.size() - m_pos; }
    const uint8_t* take(uint64_t n)
    {
        if (n > remaining())
            truncated();
        const uint8_t* p = m_bytes.data() + m_pos;
        m_pos += static_cast<size_t>(n);
        return p;
    }
    uint8_t byte() { return *take(1); }
    std::string_view line()
    {
        for (size_t i = m_pos; i < m_bytes.size(); ++i) {
            if (m_bytes[i] == '\n') {
                const std::string_view text(reinterpret_cast<const char*>(m_bytes.data() + m_pos), i - m_pos);
                m_pos = i + 1;
                return text;
            }
        }
        truncated();
    }
    std::string_view text(uint64_t n)
    {
        const uint8_t* p = take(n);
        return {reinterpret_cast<const char*>(p), static_cast<size_t>(n)};
    }

    // ---- objects and the stack -------------------------------------------
    PickleObject* make(PickleKind kind)
    {
        if (m_doc.m_objects.size() >= m_limits.maxObjects)
            throw PickleFailure{"the pickle holds more than " + std::to_string(m_limits.maxObjects)
                + " objects; refusing to read further"};
        PickleObject& object = m_doc.m_objects.emplace_back();
        object.kind = kind;
        return &object;
    }
    PickleObject* makeInt(int64_t value)
    {
        PickleObject* o = make(PickleKind::Int);
        o->integer = value;
        return o;
    }
    PickleObject* makeText(PickleKind kind, std::string_view value)
    {
        PickleObject* o = make(kind);
        o->text = value;
        return o;
    }
    size_t floor() const { return m_marks.empty() ? 0 : m_marks.back(); }
    void push(PickleObject* o) { m_stack.push_back(o); }
    PickleObject* top()
    {
        if (m_stack.size() <= floor())
            malformed("the stack is empty");
        return m_stack.back();
    }
    PickleObject* pop()
    {
        PickleObject* o = top();
        m_stack.pop_back();
        return o;
    }
    // Counts references stored or copied against the work budget.
    void spend(size_t references)
    {
        m_work += references;
        if (m_work > m_limits.maxWork)
            throw PickleFailure{"the pickle makes its objects hold more than " + std::to_string(m_limits.maxWork)
                + " references (a small file asking for a huge structure); refusing to read further"};
    }
    std::vector<PickleObject*> popMark()
    {
        if (m_marks.empty())
            malformed("no MARK to return to");
        const size_t mark = m_marks.back();
        m_marks.pop_back();
        spend(m_stack.size() - mark);
        std::vector<PickleObject*> items(m_stack.begin() + static_cast<ptrdiff_t>(mark), m_stack.end());
        m_stack.resize(mark);
        return items;
    }
    PickleObject* topOfKind(PickleKind kind, const char* opcode)
    {
        PickleObject* o = top();
        if (o->kind != kind)
            malformed(std::string(opcode) + " on a " + std::string(pickleKindName(o->kind)) + ", not a "
                + std::string(pickleKindName(kind)));
        return o;
    }
    void memoPut(uint64_t index) { m_memo[index] = top(); }
    void memoGet(uint64_t index)
    {
        const auto it = m_memo.find(index);
        if (it == m_memo.end())
            malformed("memo entry " + std::to_string(index) + " was never stored");
        push(it->second);
    }

    // ---- values -----------------------------------------------------------
    // Python ints of any size; torch's legacy magic number needs 80 bits.
    PickleObject* makeLong(const uint8_t* p, size_t n)
    {
        if (n == 0)
            return makeInt(0);
        const bool negative = (p[n - 1] & 0x80) != 0;
        bool fits = true;
        for (size_t i = 8; i < n; ++i)
            fits = fits && p[i] == (negative ? 0xff : 0x00);
        if (n > 8 && fits)
            fits = ((p[7] & 0x80) != 0) == negative;
        if (!fits)
            return makeText(PickleKind::BigInt, std::string_view(reinterpret_cast<const char*>(p), n));
        uint64_t value = negative ? ~uint64_t{0} : 0;
        for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) {
            value &= ~(uint64_t{0xff} << (8 * i));
            value |= static_cast<uint64_t>(p[i]) << (8 * i);
        }
        return makeInt(static_cast<int64_t>(value));
    }
    int64_t decimal(std::string_view digits)
    {
        if (!digits.empty() && digits.back() == 'L')
            digits.remove_suffix(1);
        if (!digits.empty() && digits.front() == '+')
            digits.remove_prefix(1);
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size())
            malformed("'" + std::string(digits.substr(0, 32)) + "' is not an integer that fits in 64 bits");
        return value;
    }
    uint64_t memoIndex(std::string_view digits)
    {
        const int64_t v = decimal(digits);
        if (v < 0)
            malformed("negative memo index");
        return static_cast<uint64_t>(v);
    }
    // ---- globals and calls ------------------------------------------------
    PickleObject* global(std::string_view module, std::string_view name)
    {
        if (!isAllowedGlobal(module, name))
            throw PickleFailure{refusal(module, name)};
        return makeText(PickleKind::Global, std::string(module) + "." + std::string(name));
    }
    // Records the call; never performs it. OrderedDict is the one exception,
    // because SETITEMS must then fill the dict it returns.
    PickleObject* call(PickleObject* callable, PickleObject* args, PickleObject* kwargs)
    {
        if (callable->kind != PickleKind::Global)
            malformed("calls a " + std::string(pickleKindName(callable->kind)) + ", which is not callable");
        if (args->kind != PickleKind::Tuple)
            malformed("call arguments are a " + std::string(pickleKindName(args->kind)) + ", not a tuple");
        if (callable->isGlobal("collections.OrderedDict")) {
            PickleObject* dict = make(PickleKind::Dict);
            if (args->items.empty())
                return dict;
            const PickleObject* pairs = args->items[0];
            if (args->items.size() != 1 || (pairs->kind != PickleKind::List && pairs->kind != PickleKind::Tuple))
                malformed("OrderedDict() takes one list of pairs");
            spend(2 * pairs->items.size());
            for (PickleObject* pair : pairs->items) {
                if ((pair->kind != PickleKind::Tuple && pair->kind != PickleKind::List) || pair->items.size() != 2)
                    malformed("OrderedDict() takes one list of pairs");
                dict->entries.emplace_back(pair->items[0], pair->items[1]);
            }
            return dict;
        }
        PickleObject* c = make(PickleKind::Call);
        c->items = {callable, args};
        if (kwargs)
            c->items.push_back(kwargs);
        return c;
    }
    void addPersistentId(PickleObject* pid)
    {
        PickleObject* ref = make(PickleKind::PersistentId);
        ref->items = {pid};
        m_doc.m_persistentIds.push_back(ref);
        push(ref);
    }

    bool step();

    std::span<const uint8_t> m_bytes;
    PickleLimits m_limits;
    size_t m_pos = 0;
    size_t m_opcodeStart = 0;
    std::vector<PickleObject*> m_stack;
    std::vector<size_t> m_marks;
    std::unordered_map<uint64_t, PickleObject*> m_memo;
    size_t m_work = 0;
    PickleDocument m_doc;
};

// One opcode. Returns true at STOP.
bool PickleMachine::step()
{
    const uint8_t opcode = byte();
    switch (opcode) {
    case 0x80: { // PROTO
        const uint8_t version = byte();
        if (version > 5)
            malformed("unsupported pickle protocol " + std::to_string(version));
        return false;
    }
    case 0x95: // FRAME: a length hint for buffered readers; the data follows inline
        if (loadLe64(take(8)) > remaining())
            truncated();
        return false;
    case '.': { // STOP
        m_doc.m_root = pop();
        m_doc.m_consumed = m_pos;
        return true;
    }
    case '(': // MARK
        if (m_marks.size() >= m_limits.maxMarkDepth)
            malformed("MARKs nested deeper than " + std::to_string(m_limits.maxMarkDepth));
        m_marks.push_back(m_stack.size());
        return false;
    case '0': // POP; Python pops the mark when the stack above it is empty
        if (m_stack.size() > floor())
            m_stack.pop_back();
        else
            popMark();
        return false;
    case '1': popMark(); return false;    // POP_MARK
    case '2': push(top()); return false;  // DUP
    case 'N': push(make(PickleKind::None)); return false;
    case 0x88: case 0x89: { // NEWTRUE, NEWFALSE
        PickleObject* b = make(PickleKind::Bool);
        b->boolean = opcode == 0x88;
        push(b);
        return false;
    }
    case 'I': { // INT; "01" and "00" are protocol 0's True and False
        const std::string_view digits = line();
        if (digits == "01" || digits == "00") {
            PickleObject* b = make(PickleKind::Bool);
            b->boolean = digits == "01";
            push(b);
        } else {
            push(makeInt(decimal(digits)));
        }
        return false;
    }
    case 'L': push(makeInt(decimal(line()))); return false; // LONG
    case 'J': push(makeInt(static_cast<int32_t>(loadLe32(take(4))))); return false; // BININT
    case 'K': push(makeInt(byte())); return false;                                   // BININT1
    case 'M': push(makeInt(loadLe16(take(2)))); return false;                        // BININT2
    case 0x8a: { // LONG1
        const uint8_t n = byte();
        push(makeLong(take(n), n));
        return false;
    }
    case 0x8b: { // LONG4
        const int32_t n = static_cast<int32_t>(loadLe32(take(4)));
        if (n < 0)
            malformed("negative LONG4 length");
        push(makeLong(take(static_cast<uint64_t>(n)), static_cast<size_t>(n)));
        return false;
    }
    case 'F': { // FLOAT
        const std::string_view t = line();
        PickleObject* f = make(PickleKind::Float);
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), f->real);
        if (ec != std::errc() || end != t.data() + t.size())
            malformed("FLOAT argument is not a number");
        push(f);
        return false;
    }
    case 'G': { // BINFLOAT, big-endian
        const uint8_t* p = take(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i)
            bits = (bits << 8) | p[i];
        PickleObject* f = make(PickleKind::Float);
        f->real = std::bit_cast<double>(bits);
        push(f);
        return false;
    }
    case 'S': { // STRING
        const std::optional<std::string> value = decodePythonRepr(line());
        if (!value)
            malformed("STRING argument is malformed (not quoted, or a bad escape)");
        push(makeText(PickleKind::String, *value));
        return false;
    }
    case 'T': {                                                                  // BINSTRING
        const int32_t n = static_cast<int32_t>(loadLe32(take(4)));
        if (n < 0)
            malformed("negative BINSTRING length");
        push(makeText(PickleKind::String, text(static_cast<uint64_t>(n))));
        return false;
    }
    case 'U': push(makeText(PickleKind::String, text(byte()))); return false;              // SHORT_BINSTRING
    case 'V': { // UNICODE
        const std::optional<std::string> value = decodeRawUnicodeEscape(line());
        if (!value)
            malformed("UNICODE argument has a bad escape");
        push(makeText(PickleKind::String, *value));
        return false;
    }
    case 'X': push(makeText(PickleKind::String, text(loadLe32(take(4))))); return false;   // BINUNICODE
    case 0x8c: push(makeText(PickleKind::String, text(byte()))); return false;             // SHORT_BINUNICODE
    case 0x8d: push(makeText(PickleKind::String, text(loadLe64(take(8))))); return false;  // BINUNICODE8
    case 'B': push(makeText(PickleKind::Bytes, text(loadLe32(take(4))))); return false;    // BINBYTES
    case 'C': push(makeText(PickleKind::Bytes, text(byte()))); return false;               // SHORT_BINBYTES
    case 0x8e: case 0x96: push(makeText(PickleKind::Bytes, text(loadLe64(take(8))))); return false; // BINBYTES8, BYTEARRAY8
    case ')': push(make(PickleKind::Tuple)); return false; // EMPTY_TUPLE
    case 't': { // TUPLE
        PickleObject* t = make(PickleKind::Tuple);
        t->items = popMark();
        push(t);
        return false;
    }
    case 0x85: case 0x86: case 0x87: { // TUPLE1, TUPLE2, TUPLE3
        const size_t n = static_cast<size_t>(opcode - 0x84);
        PickleObject* t = make(PickleKind::Tuple);
        t->items.resize(n);
        for (size_t i = n; i-- > 0;)
            t->items[i] = pop();
        push(t);
        return false;
    }
    case ']': push(make(PickleKind::List)); return false; // EMPTY_LIST
    case 'l': {                                           // LIST
        PickleObject* l = make(PickleKind::List);
        l->items = popMark();
        push(l);
        return false;
    }
    case 'a': { // APPEND
        PickleObject* value = pop();
        spend(1);
        topOfKind(PickleKind::List, "APPEND")->items.push_back(value);
        return false;
    }
    case 'e': { // APPENDS
        std::vector<PickleObject*> values = popMark();
        PickleObject* list = topOfKind(PickleKind::List, "APPENDS");
        spend(values.size());
        list->items.insert(list->items.end(), values.begin(), values.end());
        return false;
    }
    case '}': push(make(PickleKind::Dict)); return false; // EMPTY_DICT
    case 'd': case 'u': { // DICT, SETITEMS
        std::vector<PickleObject*> values = popMark();
        if (values.size() % 2 != 0)
            malformed("a dict needs key/value pairs, got an odd number of items");
        PickleObject* dict = opcode == 'd' ? make(PickleKind::Dict) : topOfKind(PickleKind::Dict, "SETITEMS");
        spend(values.size());
        for (size_t i = 0; i < values.size(); i += 2)
            dict->entries.emplace_back(values[i], values[i + 1]);
        if (opcode == 'd')
            push(dict);
        return false;
    }
    case 's': { // SETITEM
        PickleObject* value = pop();
        PickleObject* key = pop();
        spend(2);
        topOfKind(PickleKind::Dict, "SETITEM")->entries.emplace_back(key, value);
        return false;
    }
    case 0x8f: push(make(PickleKind::Set)); return false; // EMPTY_SET
    case 0x90: {                                          // ADDITEMS
        std::vector<PickleObject*> values = popMark();
        PickleObject* set = topOfKind(PickleKind::Set, "ADDITEMS");
        spend(values.size());
        set->items.insert(set->items.end(), values.begin(), values.end());
        return false;
    }
    case 0x91: { // FROZENSET
        PickleObject* set = make(PickleKind::Set);
        set->items = popMark();
        push(set);
        return false;
    }
    case 'p': memoPut(memoIndex(line())); return false;       // PUT
    case 'q': memoPut(byte()); return false;                  // BINPUT
    case 'r': memoPut(loadLe32(take(4))); return false;       // LONG_BINPUT
    case 0x94: memoPut(m_memo.size()); return false;          // MEMOIZE
    case 'g': memoGet(memoIndex(line())); return false;       // GET
    case 'h': memoGet(byte()); return false;                  // BINGET
    case 'j': memoGet(loadLe32(take(4))); return false;       // LONG_BINGET
    case 'c': { // GLOBAL
        const std::string module(line());
        const std::string name(line());
        push(global(module, name));
        return false;
    }
    case 0x93: { // STACK_GLOBAL
        PickleObject* name = pop();
        PickleObject* module = pop();
        if (module->kind != PickleKind::String || name->kind != PickleKind::String)
            malformed("STACK_GLOBAL needs two strings");
        push(global(module->text, name->text));
        return false;
    }
    case 'R': case 0x81: { // REDUCE, NEWOBJ
        PickleObject* args = pop();
        PickleObject* callable = pop();
        push(call(callable, args, nullptr));
        return false;
    }
    case 0x92: { // NEWOBJ_EX
        PickleObject* kwargs = pop();
        PickleObject* args = pop();
        PickleObject* cls = pop();
        push(call(cls, args, kwargs));
        return false;
    }
    case 'i': { // INST: module and name inline, arguments since the MARK
        const std::string module(line());
        const std::string name(line());
        PickleObject* cls = global(module, name);
        PickleObject* args = make(PickleKind::Tuple);
        args->items = popMark();
        push(call(cls, args, nullptr));
        return false;
    }
    case 'o': { // OBJ: class and arguments since the MARK
        std::vector<PickleObject*> items = popMark();
        if (items.empty())
            malformed("OBJ without a class");
        PickleObject* args = make(PickleKind::Tuple);
        args->items.assign(items.begin() + 1, items.end());
        push(call(items[0], args, nullptr));
        return false;
    }
    case 'b': { // BUILD: keep the state; applying it would mean running __setstate__
        PickleObject* state = pop();
        PickleObject* target = top();
        if (target->kind != PickleKind::Dict && target->kind != PickleKind::Call)
            malformed("BUILD on a " + std::string(pickleKindName(target->kind)));
        target->state = state;
        return false;
    }
    case 'P': addPersistentId(makeText(PickleKind::String, line())); return false; // PERSID
    case 'Q': addPersistentId(pop()); return false;                                 // BINPERSID
    case 0x82: case 0x83: case 0x84: // EXT1, EXT2, EXT4
        malformed("uses the copyreg extension registry, which model files never need");
    case 0x97: case 0x98: // NEXT_BUFFER, READONLY_BUFFER
        malformed("uses out-of-band buffers, which model files never need");
    default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", opcode);
        malformed(std::string("unknown opcode ") + hex + " (not a pickle, or corrupted)");
    }
    }
}

Expected<PickleDocument> unpickle(std::span<const uint8_t> bytes, const PickleLimits& limits)
{
    if (bytes.empty())
        return makeError("the pickle is empty");
    return PickleMachine(bytes, limits).run();
}

} // namespace rnnpool
