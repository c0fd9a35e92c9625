import ts = require("typescript");
import { ClassValue, type ModuleValue } from "./values";

/**
 * The names PyTorch's `add_module` refuses (and so `nn.ModuleDict`, `nn.Sequential` with named
 * children, and `addModule`, which all register through it): a name with ".", the empty name, and
 * a name that is already an attribute of the module and not one of its child modules. torch 1.13:
 *
 *   KeyError: module name can't contain ".", got: a.b
 *   KeyError: module name can't be empty string ""
 *   KeyError: "attribute 'forward' already exists"
 */

/** `dir()` of nn.Module, nn.Sequential, nn.ModuleList and nn.ModuleDict instances (torch 1.13). */
const MODULE_ATTRIBUTES: ReadonlySet<string> = new Set(
  (
    "T_destination __add__ __annotations__ __call__ __class__ __contains__ __delattr__ __delitem__ __dict__ __dir__ __doc__ __eq__ " +
    "__format__ __ge__ __getattr__ __getattribute__ __getitem__ __getstate__ __gt__ __hash__ __iadd__ __imul__ __init__ " +
    "__init_subclass__ __iter__ __le__ __len__ __lt__ __module__ __mul__ __ne__ __new__ __reduce__ __reduce_ex__ __repr__ __rmul__ " +
    "__setattr__ __setitem__ __setstate__ __sizeof__ __str__ __subclasshook__ __weakref__ _apply _backward_hooks _buffers _call_impl " +
    "_forward_hooks _forward_pre_hooks _get_abs_string_index _get_backward_hooks _get_item_by_idx _get_name _is_full_backward_hook " +
    "_load_from_state_dict _load_state_dict_post_hooks _load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules " +
    "_named_members _non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook _register_state_dict_hook " +
    "_replicate_for_data_parallel _save_to_state_dict _slow_forward _state_dict_hooks _version add_module append apply bfloat16 " +
    "buffers children clear cpu cuda double dump_patches eval extend extra_repr float forward get_buffer get_extra_state " +
    "get_parameter get_submodule half insert ipu items keys load_state_dict modules named_buffers named_children named_modules " +
    "named_parameters parameters pop register_backward_hook register_buffer register_forward_hook register_forward_pre_hook " +
    "register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ " +
    "set_extra_state share_memory state_dict to to_empty train training type update values xpu zero_grad"
  ).split(" "),
);

/** The methods a user's module class declares (its own and inherited ones): attributes in PyTorch too. */
function classMethods(mod: ModuleValue): Set<string> {
  const names = new Set<string>();
  for (let c: ClassValue | undefined = mod.cls; c; c = c.base instanceof ClassValue ? c.base : undefined) {
    for (const m of c.node.members) {
      if ((ts.isMethodDeclaration(m) || ts.isGetAccessor(m) || ts.isSetAccessor(m)) && m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)))
        names.add(m.name.text);
    }
  }
  return names;
}

/** Why PyTorch would refuse `name` as a child of `mod`, in its words; null when it accepts it. */
export function childNameProblem(mod: ModuleValue, name: string): string | null {
  const quoted = JSON.stringify(name);
  if (name.includes("."))
    return `Module name ${quoted} contains ".": PyTorch refuses it (KeyError: module name can't contain "."); use another name, e.g. ${JSON.stringify(name.replaceAll(".", "_"))}`;
  if (name === "") return `Module name "" is empty: PyTorch refuses it (KeyError: module name can't be empty string "")`;
  if (mod.children.has(name)) return null; // replacing a child is allowed
  const isAttribute = MODULE_ATTRIBUTES.has(name) || classMethods(mod).has(name) || mod.fields.get(name) !== undefined;
  if (isAttribute)
    return `Module name ${quoted} clashes with the attribute '${name}' of ${mod.typeName}: PyTorch refuses it (KeyError: attribute '${name}' already exists); use another name`;
  return null;
}

/** The node of `key` in an object literal argument, to point at the offending key; the argument otherwise. */
export function keyNode(arg: ts.Node | undefined, key: string): ts.Node | undefined {
  if (!arg || !ts.isObjectLiteralExpression(arg)) return arg;
  const hit = arg.properties.find(
    (p) => p.name !== undefined && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) && p.name.text === key,
  );
  return hit?.name ?? arg;
}
