#include "aecnn/model/torch_pickle.h"

#include <cstring>
#include <unordered_map>

#include "aecnn/error.h"

namespace aecnn::torchfile {
namespace {

// Limits that keep a hostile file from exhausting memory; real state dicts are far below.
constexpr size_t kMaxStack = size_t(1) << 24;
constexpr int64_t kMaxDims = 64;

PickleRef make(PickleValue::Kind kind)
{
    auto value = std::make_shared<PickleValue>();
    value->kind = kind;
    return value;
}

PickleRef makeInt(int64_t v)
{
    auto value = make(PickleValue::Kind::Int);
    value->integer = v;
    return value;
}

PickleRef makeText(PickleValue::Kind kind, std::string text)
{
    auto value = make(kind);
    value->text = std::move(text);
    return value;
}

class Unpickler {
public:
    Unpickler(std::string_view data, size_t offset, std::string source, std::map<std::string, StorageRef>* storages)
        : data_(data), pos_(offset), source_(std::move(source)), storages_(storages)
    {
    }

    PickleRef run();
    size_t position() const { return pos_; }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error(source_ + ": not a valid torch.save pickle: " + what + " (opcode at byte " +
                    std::to_string(opPos_) + "); the file may be truncated or damaged, save it again with torch.save");
    }
    const char* take(size_t n)
    {
        if (n > data_.size() - pos_)
            fail("the data ends inside an opcode");
        const char* p = data_.data() + pos_;
        pos_ += n;
        return p;
    }
    uint64_t unsignedLE(size_t n)
    {
        const auto* p = reinterpret_cast<const unsigned char*>(take(n));
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i)
            v |= uint64_t(p[i]) << (8 * i);
        return v;
    }
    std::string line()
    {
        const size_t end = data_.find('\n', pos_);
        if (end == std::string_view::npos)
            fail("the data ends inside a GLOBAL name");
        std::string text(data_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return text;
    }
    void push(PickleRef value)
    {
        if (stack_.size() >= kMaxStack)
            fail("the pickle stack grows beyond any state_dict");
        stack_.push_back(std::move(value));
    }
    PickleRef pop()
    {
        if (stack_.size() <= markBase())
            fail("an opcode needs a value but the stack is empty");
        auto v = std::move(stack_.back());
        stack_.pop_back();
        return v;
    }
    PickleRef& top()
    {
        if (stack_.size() <= markBase())
            fail("an opcode needs a value but the stack is empty");
        return stack_.back();
    }
    size_t markBase() const { return marks_.empty() ? 0 : marks_.back(); }
    std::vector<PickleRef> popToMark()
    {
        if (marks_.empty())
            fail("an opcode needs a MARK but there is none");
        const size_t base = marks_.back();
        marks_.pop_back();
        std::vector<PickleRef> items(std::make_move_iterator(stack_.begin() + std::ptrdiff_t(base)),
                                     std::make_move_iterator(stack_.end()));
        stack_.resize(base);
        return items;
    }
    void memoize(uint64_t index)
    {
        if (stack_.empty())
            fail("memo write with an empty stack");
        memo_[index] = stack_.back();
    }
    PickleRef recall(uint64_t index)
    {
        auto it = memo_.find(index);
        if (it == memo_.end())
            fail("memo read of index " + std::to_string(index) + " that was never written");
        return it->second;
    }
    PickleRef tuple(std::vector<PickleRef> items)
    {
        auto t = make(PickleValue::Kind::Tuple);
        t->items = std::move(items);
        return t;
    }
    void setItems(PickleRef& dict, std::vector<PickleRef>& flat)
    {
        if (dict->kind != PickleValue::Kind::Dict)
            fail("SETITEM(S) on a " + describe(*dict) + ", not a dict");
        if (flat.size() % 2 != 0)
            fail("SETITEMS with an odd number of values");
        // Keys are not de-duplicated here (Python's dicts never pickle a key twice);
        // readers of the result report duplicates.
        for (size_t i = 0; i < flat.size(); i += 2)
            dict->entries.emplace_back(flat[i], flat[i + 1]);
    }
    void appendItems(PickleRef& list, std::vector<PickleRef>& items)
    {
        if (list->kind != PickleValue::Kind::List)
            fail("APPEND(S) on a " + describe(*list) + ", not a list");
        for (auto& item : items)
            list->items.push_back(std::move(item));
    }
    PickleRef call(const PickleRef& callable, const PickleRef& args);
    PickleRef persistentLoad(const PickleRef& pid);
    PickleRef rebuildTensor(const std::vector<PickleRef>& args);
    std::vector<int64_t> intTuple(const PickleRef& value, const char* what);

    std::string_view data_;
    size_t pos_;
    size_t opPos_ = 0;
    std::string source_;
    std::map<std::string, StorageRef>* storages_;
    std::vector<PickleRef> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, PickleRef> memo_;
};

std::vector<int64_t> Unpickler::intTuple(const PickleRef& value, const char* what)
{
    if (value->kind != PickleValue::Kind::Tuple && value->kind != PickleValue::Kind::List)
        fail(std::string("a tensor's ") + what + " is a " + describe(*value) + ", not a tuple of integers");
    if (int64_t(value->items.size()) > kMaxDims)
        fail(std::string("a tensor's ") + what + " has more than 64 dimensions");
    std::vector<int64_t> out;
    for (const auto& item : value->items) {
        if (item->kind != PickleValue::Kind::Int)
            fail(std::string("a tensor's ") + what + " holds a " + describe(*item) + ", not an integer");
        out.push_back(item->integer);
    }
    return out;
}

PickleRef Unpickler::rebuildTensor(const std::vector<PickleRef>& args)
{
    // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    if (args.size() < 4 || args[0]->kind != PickleValue::Kind::Storage || args[1]->kind != PickleValue::Kind::Int)
        fail("_rebuild_tensor_v2 without (storage, offset, size, stride) arguments");
    auto tensor = make(PickleValue::Kind::Tensor);
    tensor->tensor.storage = args[0]->tensor.storage;
    tensor->tensor.offset = args[1]->integer;
    tensor->tensor.sizes = intTuple(args[2], "size");
    tensor->tensor.strides = intTuple(args[3], "stride");
    if (tensor->tensor.sizes.size() != tensor->tensor.strides.size())
        fail("a tensor's size and stride have different lengths");
    return tensor;
}

PickleRef Unpickler::persistentLoad(const PickleRef& pid)
{
    if (pid->kind != PickleValue::Kind::Tuple || pid->items.empty() || !pid->items[0]->isString())
        fail("a persistent id that is not torch.save's ('storage', ...) tuple");
    const auto& tag = pid->items[0]->text;
    if (tag == "module" && pid->items.size() >= 2)
        return pid->items[1]; // the legacy format's reference to a pickled module's class
    if (tag != "storage" || pid->items.size() < 5)
        fail("an unknown persistent id '" + tag + "'");
    const auto& type = pid->items[1];
    const auto& key = pid->items[2];
    const auto& numel = pid->items[4];
    if (type->kind != PickleValue::Kind::Global || type->text.rfind("torch.", 0) != 0 || !key->isString() ||
        numel->kind != PickleValue::Kind::Int || numel->integer < 0)
        fail("a storage id that is not ('storage', torch.<Type>Storage, key, location, numel)");
    auto storage = make(PickleValue::Kind::Storage);
    storage->tensor.storage = {key->text, type->text.substr(6), numel->integer};
    if (storages_) {
        auto [it, inserted] = storages_->emplace(key->text, storage->tensor.storage);
        if (!inserted && (it->second.type != storage->tensor.storage.type || it->second.numel != numel->integer))
            fail("storage '" + key->text + "' is declared twice with different types or sizes");
    }
    return storage;
}

PickleRef Unpickler::call(const PickleRef& callable, const PickleRef& args)
{
    if (args->kind != PickleValue::Kind::Tuple)
        fail("a call whose arguments are a " + describe(*args) + ", not a tuple");
    if (callable->kind == PickleValue::Kind::Global) {
        const auto& name = callable->text;
        if ((name == "collections.OrderedDict" || name == "builtins.dict") && args->items.empty())
            return make(PickleValue::Kind::Dict);
        if (name == "torch._utils._rebuild_tensor_v2")
            return rebuildTensor(args->items);
        // LibTorch's torch::pickle_save tags containers with their TorchScript type.
        if (name == "torch.jit._pickle.restore_type_tag" && !args->items.empty())
            return args->items[0];
        if (name == "torch._utils._rebuild_parameter" && !args->items.empty() &&
            args->items[0]->kind == PickleValue::Kind::Tensor)
            return args->items[0];
    }
    auto object = make(PickleValue::Kind::Object);
    object->text = callable->kind == PickleValue::Kind::Global ? callable->text : describe(*callable);
    object->items = args->items;
    return object;
}

PickleRef Unpickler::run()
{
    using K = PickleValue::Kind;
    while (true) {
        opPos_ = pos_;
        const auto op = static_cast<unsigned char>(*take(1));
        switch (op) {
        case 0x80: // PROTO
            if (static_cast<unsigned char>(*take(1)) > 5)
                fail("an unknown pickle protocol");
            break;
        case 0x95: // FRAME
            take(8);
            break;
        case '.': { // STOP
            if (stack_.size() != 1 || !marks_.empty())
                fail("STOP with " + std::to_string(stack_.size()) + " values on the stack");
            return stack_.back();
        }
        case 'c': { // GLOBAL
            std::string module = line();
            std::string name = line();
            push(makeText(K::Global, module + "." + name));
            break;
        }
        case 0x93: { // STACK_GLOBAL
            auto name = pop();
            auto module = pop();
            if (!module->isString() || !name->isString())
                fail("STACK_GLOBAL needs two strings");
            push(makeText(K::Global, module->text + "." + name->text));
            break;
        }
        case 'q': memoize(unsignedLE(1)); break;           // BINPUT
        case 'r': memoize(unsignedLE(4)); break;           // LONG_BINPUT
        case 0x94: memoize(memo_.size()); break;           // MEMOIZE
        case 'h': push(recall(unsignedLE(1))); break;      // BINGET
        case 'j': push(recall(unsignedLE(4))); break;      // LONG_BINGET
        case '(':                                          // MARK
            if (marks_.size() >= kMaxStack)
                fail("too many nested MARKs");
            marks_.push_back(stack_.size());
            break;
        case '0': pop(); break;                            // POP
        case '1': popToMark(); break;                      // POP_MARK
        case '2': push(top()); break;                      // DUP
        case 't': push(tuple(popToMark())); break;         // TUPLE
        case ')': push(tuple({})); break;                  // EMPTY_TUPLE
        case 0x85: { auto a = pop(); push(tuple({a})); break; } // TUPLE1
        case 0x86: { auto b = pop(); auto a = pop(); push(tuple({a, b})); break; } // TUPLE2
        case 0x87: { auto c = pop(); auto b = pop(); auto a = pop(); push(tuple({a, b, c})); break; } // TUPLE3
        case '}': push(make(K::Dict)); break;              // EMPTY_DICT
        case 'd': {                                        // DICT
            auto flat = popToMark();
            auto dict = make(K::Dict);
            setItems(dict, flat);
            push(dict);
            break;
        }
        case 's': { // SETITEM
            std::vector<PickleRef> flat(2);
            flat[1] = pop();
            flat[0] = pop();
            setItems(top(), flat);
            break;
        }
        case 'u': { // SETITEMS
            auto flat = popToMark();
            setItems(top(), flat);
            break;
        }
        case ']': push(make(K::List)); break;              // EMPTY_LIST
        case 'l': {                                        // LIST
            auto list = make(K::List);
            list->items = popToMark();
            push(list);
            break;
        }
        case 'a': { // APPEND
            std::vector<PickleRef> items{pop()};
            appendItems(top(), items);
            break;
        }
        case 'e': { // APPENDS
            auto items = popToMark();
            appendItems(top(), items);
            break;
        }
        case 'R': { // REDUCE
            auto args = pop();
            auto callable = pop();
            push(call(callable, args));
            break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
            auto args = pop();
            auto cls = pop();
            push(call(cls, args));
            break;
        }
        case 'b': { // BUILD
            auto state = pop();
            top()->state = std::move(state);
            break;
        }
        case 'Q': push(persistentLoad(pop())); break;       // BINPERSID
        case 'J': push(makeInt(int32_t(uint32_t(unsignedLE(4))))); break; // BININT
        case 'K': push(makeInt(int64_t(unsignedLE(1)))); break;           // BININT1
        case 'M': push(makeInt(int64_t(unsignedLE(2)))); break;           // BININT2
        case 0x8a:   // LONG1
        case 0x8b: { // LONG4
            const uint64_t n = unsignedLE(op == 0x8a ? 1 : 4);
            const char* bytes = take(n);
            if (n <= 8) {
                uint64_t v = 0;
                for (uint64_t i = 0; i < n; ++i)
                    v |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
                if (n > 0 && n < 8 && (static_cast<unsigned char>(bytes[n - 1]) & 0x80))
                    v |= ~uint64_t(0) << (8 * n); // sign-extend
                push(makeInt(static_cast<int64_t>(v)));
            } else {
                push(makeText(K::BigInt, std::string(bytes, n)));
            }
            break;
        }
        case 'G': { // BINFLOAT, big endian
            const auto* p = reinterpret_cast<const unsigned char*>(take(8));
            uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | p[i];
            auto value = make(K::Float);
            std::memcpy(&value->real, &bits, sizeof bits);
            push(value);
            break;
        }
        case 'X':    // BINUNICODE
        case 0x8c:   // SHORT_BINUNICODE
        case 0x8d: { // BINUNICODE8
            const uint64_t n = unsignedLE(op == 0x8c ? 1 : op == 'X' ? 4 : 8);
            push(makeText(K::String, std::string(take(n), n)));
            break;
        }
        case 'B':    // BINBYTES
        case 'C':    // SHORT_BINBYTES
        case 0x8e: { // BINBYTES8
            const uint64_t n = unsignedLE(op == 'C' ? 1 : op == 'B' ? 4 : 8);
            push(makeText(K::Bytes, std::string(take(n), n)));
            break;
        }
        case 'T':    // BINSTRING (Python 2 str)
        case 'U': {  // SHORT_BINSTRING
            const uint64_t n = unsignedLE(op == 'U' ? 1 : 4);
            push(makeText(K::String, std::string(take(n), n)));
            break;
        }
        case 0x88: { auto v = make(K::Bool); v->integer = 1; push(v); break; } // NEWTRUE
        case 0x89: push(make(K::Bool)); break;                                   // NEWFALSE
        case 'N': push(make(K::None)); break;                                    // NONE
        default: {
            static const char* hex = "0123456789abcdef";
            fail(std::string("unsupported pickle opcode 0x") + hex[op >> 4] + hex[op & 15]);
        }
        }
    }
}

void put(std::string& out, char op) { out.push_back(op); }

void putLE(std::string& out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void putString(std::string& out, const std::string& s)
{
    put(out, 'X');
    putLE(out, s.size(), 4);
    out += s;
}

void putInt(std::string& out, int64_t v)
{
    if (v >= 0 && v < 256) {
        put(out, 'K');
        putLE(out, uint64_t(v), 1);
    } else if (v >= 0 && v < 65536) {
        put(out, 'M');
        putLE(out, uint64_t(v), 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        put(out, 'J');
        putLE(out, uint64_t(uint32_t(int32_t(v))), 4);
    } else {
        put(out, char(0x8a)); // LONG1, 8 bytes two's complement
        putLE(out, 8, 1);
        putLE(out, uint64_t(v), 8);
    }
}

void putIntTuple(std::string& out, const std::vector<int64_t>& values)
{
    if (values.empty()) {
        put(out, ')');
        return;
    }
    put(out, '(');
    for (auto v : values)
        putInt(out, v);
    put(out, 't');
}

void putGlobal(std::string& out, const std::string& module, const std::string& name)
{
    put(out, 'c');
    out += module + "\n" + name + "\n";
}

} // namespace

namespace {

// Moves the children of `value` (those no other value shares) into `pending`.
void detachChildren(PickleValue& value, std::vector<PickleRef>& pending)
{
    for (auto& item : value.items)
        pending.push_back(std::move(item));
    for (auto& [key, item] : value.entries) {
        pending.push_back(std::move(key));
        pending.push_back(std::move(item));
    }
    if (value.state)
        pending.push_back(std::move(value.state));
    value.items.clear();
    value.entries.clear();
}

} // namespace

PickleValue::~PickleValue()
{
    std::vector<PickleRef> pending;
    detachChildren(*this, pending);
    while (!pending.empty()) {
        PickleRef value = std::move(pending.back());
        pending.pop_back();
        if (value && value.use_count() == 1)
            detachChildren(*value, pending); // `value` then dies here without recursing
    }
}

std::string describe(const PickleValue& value)
{
    using K = PickleValue::Kind;
    switch (value.kind) {
    case K::None: return "None";
    case K::Bool: return "bool";
    case K::Int:
    case K::BigInt: return "int";
    case K::Float: return "float";
    case K::String: return "str";
    case K::Bytes: return "bytes";
    case K::Tuple: return "tuple";
    case K::List: return "list";
    case K::Dict: return "dict";
    case K::Global: return "class or function " + value.text;
    case K::Object: return value.text + " object";
    case K::Storage: return "storage";
    case K::Tensor: return "tensor";
    }
    return "value";
}

PickleRef unpickle(std::string_view data, size_t& offset, const std::string& source,
                   std::map<std::string, StorageRef>* storages)
{
    if (offset > data.size())
        throw Error(source + ": a pickle was expected past the end of the data");
    Unpickler unpickler(data, offset, source, storages);
    auto value = unpickler.run();
    offset = unpickler.position();
    return value;
}

std::string pickleTensorDict(const std::vector<std::pair<std::string, TensorRef>>& entries)
{
    // The layout of pickle.Pickler(protocol=2) for torch.save(OrderedDict of tensors),
    // without memo entries (they are optional) and with one SETITEMS batch per 1000
    // entries, as Python batches them.
    std::string out;
    put(out, char(0x80));
    putLE(out, 2, 1);
    putGlobal(out, "collections", "OrderedDict");
    put(out, ')');
    put(out, 'R');
    for (size_t start = 0; start < entries.size(); start += 1000) {
        put(out, '(');
        for (size_t i = start; i < std::min(entries.size(), start + 1000); ++i) {
            const auto& [name, tensor] = entries[i];
            putString(out, name);
            putGlobal(out, "torch._utils", "_rebuild_tensor_v2");
            put(out, '(');
            put(out, '(');
            putString(out, "storage");
            putGlobal(out, "torch", tensor.storage.type);
            putString(out, tensor.storage.key);
            putString(out, "cpu");
            putInt(out, tensor.storage.numel);
            put(out, 't');
            put(out, 'Q');
            putInt(out, tensor.offset);
            putIntTuple(out, tensor.sizes);
            putIntTuple(out, tensor.strides);
            put(out, char(0x89)); // requires_grad = False
            putGlobal(out, "collections", "OrderedDict");
            put(out, ')');
            put(out, 'R'); // backward_hooks = OrderedDict()
            put(out, 't');
            put(out, 'R');
        }
        put(out, 'u');
    }
    put(out, '.');
    return out;
}

} // namespace aecnn::torchfile
