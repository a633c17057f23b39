#include "io/state_dict_layout.h"

#include <array>
#include <charconv>
#include <new>
#include <set>
#include <unordered_map>

namespace rnnpool {
namespace {

constexpr std::array<const char*, 4> kWrapperKeys{"state_dict", "weight", "model", "model_state_dict"};
constexpr std::string_view kDataParallelPrefix = "module.";
constexpr size_t kMaxRank = 64;
// A stride-0 tensor can describe far more elements than its storage holds.
// Real checkpoints do not expand much, so a budget relative to the stored
// data stops a tiny hostile file from demanding gigabytes.
constexpr int64_t kExpansionSlack = int64_t{64} << 20;
constexpr int64_t kExpansionFactor = 4;

struct StorageView {
    std::string key;
    int64_t offset = 0;
    int64_t limit = 0;
};

std::optional<DType> dtypeOfStorageClass(const PickleObject* cls)
{
    if (!cls->is(PickleKind::Global))
        return std::nullopt;
    static const std::unordered_map<std::string, DType> kTypes{{"torch.FloatStorage", DType::F32},
        {"torch.DoubleStorage", DType::F64}, {"torch.HalfStorage", DType::F16}, {"torch.BFloat16Storage", DType::BF16},
        {"torch.LongStorage", DType::I64}, {"torch.IntStorage", DType::I32}, {"torch.ShortStorage", DType::I16},
        {"torch.CharStorage", DType::I8}, {"torch.ByteStorage", DType::U8}, {"torch.BoolStorage", DType::Bool}};
    const auto it = kTypes.find(cls->text);
    if (it == kTypes.end())
        return std::nullopt;
    return it->second;
}

bool isTensorCall(const PickleObject* o)
{
    if (!o->is(PickleKind::Call) || o->items.size() < 2)
        return false;
    const PickleObject* f = o->items[0];
    return f->isGlobal("torch._utils._rebuild_tensor_v2") || f->isGlobal("torch._utils._rebuild_tensor")
        || f->isGlobal("torch._utils._rebuild_parameter");
}

std::string scalarText(const PickleObject* o)
{
    switch (o->kind) {
    case PickleKind::None: return "None";
    case PickleKind::Bool: return o->boolean ? "True" : "False";
    case PickleKind::Int: return std::to_string(o->integer);
    case PickleKind::String: return o->text;
    case PickleKind::Float: {
        char buffer[64];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, o->real);
        return ec == std::errc() ? std::string(buffer, end) : std::string("?");
    }
    default: return {};
    }
}

bool isScalar(const PickleObject* o)
{
    return o->is(PickleKind::None) || o->is(PickleKind::Bool) || o->is(PickleKind::Int) || o->is(PickleKind::Float)
        || o->is(PickleKind::String);
}

// ('storage', torch.XStorage, key, location, numel) in the zip format, with a
// sixth entry in the legacy format: None, or (view_key, offset, view_numel)
// for tensors that were built on part of a larger storage.
Expected<StorageView> parseStorageReference(const PickleObject* ref, std::map<std::string, StorageDecl>& decls)
{
    const PickleObject* pid = ref->items.empty() ? nullptr : ref->items[0];
    const auto bad = [](const std::string& why) {
        return makeError("a storage reference is malformed (" + why + ")");
    };
    if (!pid || !pid->is(PickleKind::Tuple) || pid->items.size() < 5 || !pid->items[0]->isString("storage"))
        return bad("expected ('storage', type, key, location, size)");
    const std::vector<PickleObject*>& f = pid->items;
    if (!f[1]->is(PickleKind::Global))
        return bad("the storage type is a " + std::string(pickleKindName(f[1]->kind)));
    const std::optional<DType> dtype = dtypeOfStorageClass(f[1]);
    if (!dtype)
        return makeError("unsupported storage type '" + f[1]->text + "'");
    if (!f[2]->is(PickleKind::String) || !f[3]->is(PickleKind::String) || !f[4]->is(PickleKind::Int))
        return bad("key and location must be strings and the size an integer");
    if (f[4]->integer < 0)
        return bad("negative storage size");

    StorageDecl decl{f[2]->text, *dtype, f[4]->integer, f[3]->text};
    auto [it, inserted] = decls.emplace(decl.key, decl);
    if (!inserted && (it->second.dtype != decl.dtype || it->second.numel != decl.numel))
        return makeError("storage '" + decl.key + "' is declared twice with different types or sizes (corrupted?)");

    StorageView view{decl.key, 0, decl.numel};
    if (pid->items.size() >= 6 && !f[5]->is(PickleKind::None)) {
        const PickleObject* v = f[5];
        if (!v->is(PickleKind::Tuple) || v->items.size() != 3 || !v->items[1]->is(PickleKind::Int)
            || !v->items[2]->is(PickleKind::Int))
            return bad("expected (view key, offset, size) as the view");
        const int64_t offset = v->items[1]->integer, size = v->items[2]->integer;
        if (offset < 0 || size < 0 || offset > decl.numel || size > decl.numel - offset)
            return makeError("a view of storage '" + decl.key + "' lies outside it (corrupted?)");
        view.offset = offset;
        view.limit = offset + size;
    }
    return view;
}

Expected<std::vector<int64_t>> intTuple(const PickleObject* o, const char* what)
{
    if (!o->is(PickleKind::Tuple) && !o->is(PickleKind::List))
        return makeError(std::string(what) + " is a " + std::string(pickleKindName(o->kind)) + ", not a tuple");
    if (o->items.size() > kMaxRank)
        return makeError(std::string(what) + " has more than " + std::to_string(kMaxRank) + " dimensions");
    std::vector<int64_t> values;
    for (const PickleObject* item : o->items) {
        if (!item->is(PickleKind::Int) || item->integer < 0)
            return makeError(std::string(what) + " holds something other than a non-negative integer");
        values.push_back(item->integer);
    }
    return values;
}

Expected<TensorLayout> parseTensor(const std::string& name, const PickleObject* call,
    const std::unordered_map<const PickleObject*, StorageView>& views)
{
    const std::string who = "tensor '" + name + "'";
    // nn.Parameter wraps a tensor; a few levels is already absurd.
    for (int depth = 0; call->items[0]->isGlobal("torch._utils._rebuild_parameter"); ++depth) {
        const PickleObject* args = call->items[1];
        if (depth > 4 || !args->is(PickleKind::Tuple) || args->items.empty() || !isTensorCall(args->items[0]))
            return makeError(who + " is a malformed parameter");
        call = args->items[0];
    }
    const PickleObject* args = call->items[1];
    if (!args->is(PickleKind::Tuple) || args->items.size() < 4)
        return makeError(who + " has too few rebuild arguments (corrupted?)");
    const auto view = views.find(args->items[0]);
    if (view == views.end())
        return makeError(who + " does not refer to a storage (corrupted?)");
    if (!args->items[1]->is(PickleKind::Int) || args->items[1]->integer < 0)
        return makeError(who + " has an invalid storage offset");
    Expected<std::vector<int64_t>> shape = intTuple(args->items[2], "its size");
    Expected<std::vector<int64_t>> stride = intTuple(args->items[3], "its stride");
    if (!shape || !stride)
        return makeError(who + ": " + (shape ? stride.error() : shape.error()));
    if (shape->size() != stride->size())
        return makeError(who + " has " + std::to_string(shape->size()) + " sizes but " + std::to_string(stride->size())
            + " strides (corrupted?)");
    const int64_t offset = args->items[1]->integer;
    if (offset > view->second.limit - view->second.offset)
        return makeError(who + " starts beyond the end of its storage (corrupted?)");
    return TensorLayout{name, view->second.key, view->second.offset + offset, view->second.limit, std::move(*shape),
        std::move(*stride)};
}

std::string listKeys(const PickleObject* dict)
{
    std::string keys;
    for (size_t i = 0; i < dict->entries.size() && i < 8; ++i)
        keys += (i ? ", '" : "'") + (dict->entries[i].first->is(PickleKind::String) ? dict->entries[i].first->text : "?") + "'";
    if (dict->entries.size() > 8)
        keys += ", ...";
    return keys.empty() ? "none" : keys;
}

size_t countTensors(const PickleObject* dict)
{
    size_t n = 0;
    for (const auto& [key, value] : dict->entries)
        n += isTensorCall(value) ? 1 : 0;
    return n;
}

} // namespace

std::string StateDictLayout::describeUser(const std::string& storageKey) const
{
    for (const TensorLayout& t : tensors)
        if (t.storageKey == storageKey)
            return "tensor '" + t.name + "'";
    return "storage '" + storageKey + "'";
}

Expected<StateDictLayout> readStateDictLayout(const PickleDocument& doc)
{
    StateDictLayout layout;
    std::unordered_map<const PickleObject*, StorageView> views;
    for (const PickleObject* ref : doc.persistentIds()) {
        Expected<StorageView> view = parseStorageReference(ref, layout.storages);
        if (!view)
            return std::move(view).takeError();
        views.emplace(ref, std::move(*view));
    }

    const PickleObject* root = doc.root();
    if (isTensorCall(root))
        return makeError("it holds a single tensor, not a state dict (save model.state_dict() instead)");
    if (!root->is(PickleKind::Dict))
        return makeError("it holds a " + std::string(pickleKindName(root->kind)) + ", not a state dict");

    const PickleObject* stateDict = countTensors(root) > 0 ? root : nullptr;
    std::string wrapperKey;
    for (const char* key : kWrapperKeys) {
        const PickleObject* inner = root->find(key);
        if (!stateDict && inner && inner->is(PickleKind::Dict) && countTensors(inner) > 0) {
            stateDict = inner;
            wrapperKey = key;
        }
    }
    if (!stateDict)
        return makeError("it holds no tensors: expected a state dict, or a dict with one under 'weight', "
                         "'state_dict' or 'model' (top-level keys: " + listKeys(root) + ")");

    std::map<std::string, size_t> index; // later duplicates replace earlier ones, as in Python
    size_t skipped = 0;
    std::string firstSkipped;
    for (const auto& [key, value] : stateDict->entries) {
        if (!key->is(PickleKind::String))
            return makeError("a state-dict key is a " + std::string(pickleKindName(key->kind)) + ", not a string");
        if (!isTensorCall(value)) {
            if (skipped++ == 0)
                firstSkipped = key->text;
            continue;
        }
        Expected<TensorLayout> tensor = parseTensor(key->text, value, views);
        if (!tensor)
            return std::move(tensor).takeError();
        if (const auto it = index.find(key->text); it != index.end()) {
            layout.tensors[it->second] = std::move(*tensor);
        } else {
            index.emplace(key->text, layout.tensors.size());
            layout.tensors.push_back(std::move(*tensor));
        }
    }
    if (skipped)
        layout.notes.push_back("skipped " + std::to_string(skipped) + " state-dict entries that are not tensors (e.g. '"
            + firstSkipped + "')");

    if (stateDict != root) {
        layout.notes.push_back("read the state dict under '" + wrapperKey + "'");
        for (const auto& [key, value] : root->entries) {
            if (!key->is(PickleKind::String) || key->text == wrapperKey)
                continue;
            if (key->text == "epoch" && value->is(PickleKind::Int))
                layout.epoch = value->integer;
            else if (isScalar(value))
                layout.metadata[key->text] = scalarText(value);
            else
                layout.notes.push_back("ignored the top-level entry '" + key->text + "' (a "
                    + std::string(pickleKindName(value->kind)) + ")");
        }
    }
    return layout;
}

namespace {

Expected<Tensor> gather(const TensorLayout& t, const StorageDecl& decl, std::span<const uint8_t> bytes, int64_t& budget)
{
    const std::string who = "tensor '" + t.name + "'";
    const size_t elementSize = dtypeSize(decl.dtype);
    if (static_cast<uint64_t>(decl.numel) > bytes.size() / elementSize)
        return makeError(who + " data runs past the end of the file (truncated?)");
    const std::optional<int64_t> count = checkedNumel(t.shape);
    if (!count)
        return makeError(who + " has an impossible shape " + shapeToString(t.shape));
    const int64_t numel = *count;
    int64_t last = t.offset;
    if (numel > 0) {
        for (size_t d = 0; d < t.shape.size(); ++d) {
            int64_t reach = 0;
            if (__builtin_mul_overflow(t.shape[d] - 1, t.stride[d], &reach) || __builtin_add_overflow(last, reach, &last))
                return makeError(who + " has impossible strides");
        }
        if (last >= t.limit)
            return makeError(who + " with shape " + shapeToString(t.shape) + " needs more elements than its storage holds ("
                + std::to_string(t.limit) + "; corrupted?)");
    }
    if (numel > budget)
        return makeError(who + " would expand its storage to " + std::to_string(numel)
            + " elements, more than this file can plausibly hold");
    budget -= numel;

    std::vector<float> values(static_cast<size_t>(numel));
    const uint8_t* base = bytes.data();
    bool contiguous = true;
    for (int64_t d = static_cast<int64_t>(t.shape.size()) - 1, expected = 1; d >= 0; --d) {
        if (t.shape[d] != 1 && t.stride[d] != expected)
            contiguous = false;
        expected *= t.shape[d];
    }
    if (contiguous) {
        convertToFloat(decl.dtype, base + static_cast<size_t>(t.offset) * elementSize, values.size(), values.data());
    } else {
        std::vector<int64_t> index(t.shape.size(), 0);
        int64_t source = t.offset;
        for (int64_t i = 0; i < numel; ++i) {
            values[static_cast<size_t>(i)] = loadAsFloat(decl.dtype, base + static_cast<size_t>(source) * elementSize);
            for (size_t d = t.shape.size(); d-- > 0;) {
                source += t.stride[d];
                if (++index[d] < t.shape[d])
                    break;
                source -= t.stride[d] * t.shape[d];
                index[d] = 0;
            }
        }
    }
    return Tensor(t.shape, std::move(values));
}

} // namespace

Expected<Checkpoint> assembleCheckpoint(const StateDictLayout& layout,
    const std::map<std::string, std::span<const uint8_t>>& storageBytes, std::string format)
{
    Checkpoint checkpoint;
    checkpoint.format = std::move(format);
    checkpoint.epoch = layout.epoch;
    checkpoint.metadata = layout.metadata;
    checkpoint.notes = layout.notes;

    // Count what the file really holds, not what its pickle claims.
    int64_t stored = 0;
    for (const auto& [key, bytes] : storageBytes)
        if (const auto decl = layout.storages.find(key); decl != layout.storages.end())
            stored = std::min<int64_t>(stored + static_cast<int64_t>(bytes.size() / dtypeSize(decl->second.dtype)),
                int64_t{1} << 50);
    int64_t budget = kExpansionFactor * stored + kExpansionSlack;

    std::set<std::string> locations;
    try {
        for (const TensorLayout& t : layout.tensors) {
            const StorageDecl& decl = layout.storages.at(t.storageKey);
            const auto bytes = storageBytes.find(t.storageKey);
            if (bytes == storageBytes.end())
                return makeError("tensor '" + t.name + "': its storage '" + t.storageKey + "' is missing (corrupted?)");
            Expected<Tensor> values = gather(t, decl, bytes->second, budget);
            if (!values)
                return std::move(values).takeError();
            locations.insert(decl.location);
            checkpoint.tensors[t.name] = StoredTensor{std::string(dtypeName(decl.dtype)), std::move(*values)};
        }
    } catch (const std::bad_alloc&) {
        return makeError("the tensors need more memory than is available");
    }

    bool allPrefixed = !checkpoint.tensors.empty();
    for (const auto& [name, tensor] : checkpoint.tensors)
        allPrefixed = allPrefixed && name.starts_with(kDataParallelPrefix) && name.size() > kDataParallelPrefix.size();
    if (allPrefixed) {
        std::map<std::string, StoredTensor> stripped;
        for (auto& [name, tensor] : checkpoint.tensors)
            stripped.emplace(name.substr(kDataParallelPrefix.size()), std::move(tensor));
        checkpoint.tensors = std::move(stripped);
        checkpoint.notes.push_back("stripped the 'module.' prefix (from nn.DataParallel) from all "
            + std::to_string(checkpoint.tensors.size()) + " tensor names");
    }
    for (const std::string& location : locations)
        if (location != "cpu")
            checkpoint.notes.push_back("tensors were saved on '" + location + "'; read onto the CPU");
    return checkpoint;
}

} // namespace rnnpool
