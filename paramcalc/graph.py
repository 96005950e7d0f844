"""Functional graphs as Keras sees them: layers (operations), calls (nodes) and tensors.

A layer called twice is one :class:`Op` with two :class:`Node` objects, so its weights
count once.  :func:`keras_order` reproduces ``keras.src.ops.function.map_graph``: the
nodes that feed the model outputs, their depths, and the layer order Keras lists in
``model.layers`` and prints in ``model.summary()`` (deepest first, ties broken by the
order a depth-first walk from the outputs first meets them).  The walk is iterative, so a
graph thousands of layers deep needs no recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from paramcalc.report import Shape


@dataclass(eq=False)
class Op:
    """One layer (or model input) of a graph; ``payload`` is whatever the engine keeps with it."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    payload: Any = None
    is_input: bool = False
    hidden: bool = False  # a mask operation: in the graph (depths, order) but not in model.layers


@dataclass(eq=False)
class Node:
    """One call of an op: the tensors it reads (in Keras' order) and its output shapes."""

    op: Op
    index: int
    inputs: tuple[Tensor, ...]
    outputs: tuple[Shape, ...]

    @property
    def is_input(self) -> bool:
        """A model input's node: it reads nothing."""
        return not self.inputs


@dataclass(frozen=True, eq=False)
class Tensor:
    """Output ``tensor`` of call ``node`` of ``op``: Keras' ``(layer, node_index, tensor_index)``."""

    op: Op
    node: int
    tensor: int

    @property
    def shape(self) -> Shape:
        """The tensor's shape (batch axis excluded)."""
        return self.op.nodes[self.node].outputs[self.tensor]

    @property
    def producer(self) -> Node:
        """The call that produced it."""
        return self.op.nodes[self.node]

    def keras_ref(self) -> str:
        """How Keras' summary names it in "Connected to": ``dense[0][0]``."""
        return f"{self.op.name}[{self.node}][{self.tensor}]"


def call(op: Op, inputs: Sequence[Tensor], outputs: tuple[Shape, ...]) -> Node:
    """Record a new call of ``op`` (its next node index, as Keras appends to ``_inbound_nodes``)."""
    node = Node(op, len(op.nodes), tuple(inputs), outputs)
    op.nodes.append(node)
    return node


@dataclass(frozen=True)
class GraphOrder:
    """What :func:`keras_order` finds: layer order, nodes in the graph, and the summary layout."""

    ops: list[Op]
    relevant: set[int]
    sequential_like: bool

    def connections(self, op: Op) -> tuple[str, ...]:
        """Keras' "Connected to" entries of ``op``: every input tensor of every relevant call."""
        return tuple(
            t.keras_ref() for node in op.nodes if id(node) in self.relevant for t in node.inputs if not t.op.hidden
        )


def keras_order(inputs: Sequence[Op], outputs: Sequence[Tensor]) -> GraphOrder:
    """The layers Keras keeps for a model with these inputs and outputs, in Keras' order."""
    finished: set[int] = set()
    decreasing: list[Node] = []  # nodes from the inputs to the outputs (post-order)
    op_index: dict[int, int] = {}
    ops_by_id: dict[int, Op] = {}

    def enter(node: Node) -> None:
        if id(node.op) not in op_index:
            op_index[id(node.op)] = len(op_index)
            ops_by_id[id(node.op)] = node.op

    for out in outputs:
        root = out.producer
        if id(root) in finished:
            continue
        enter(root)
        stack: list[list[Any]] = [[root, 0]]
        while stack:
            node, position = stack[-1]
            if position < len(node.inputs):
                stack[-1][1] += 1
                parent = node.inputs[position].producer
                if id(parent) not in finished:
                    enter(parent)
                    stack.append([parent, 0])
                continue
            stack.pop()
            if id(node) not in finished:
                finished.add(id(node))
                decreasing.append(node)

    in_graph = {id(node) for node in decreasing}
    node_depth: dict[int, int] = {}
    node_by_id: dict[int, Node] = {}
    op_depth: dict[int, int] = {}
    for node in reversed(decreasing):
        depth = node_depth.setdefault(id(node), 0)
        node_by_id[id(node)] = node
        depth = max(depth, op_depth.get(id(node.op), 0))
        op_depth[id(node.op)] = depth
        node_depth[id(node)] = depth
        for tensor in node.inputs:
            parent = tensor.producer
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
                node_by_id[id(parent)] = parent
    for op in inputs:  # model inputs no output depends on are kept (Keras does)
        if id(op) not in op_depth:
            op_depth[id(op)] = 0
            op_index[id(op)] = -1
            ops_by_id[id(op)] = op
            node_depth[id(op.nodes[0])] = 0
            node_by_id[id(op.nodes[0])] = op.nodes[0]

    by_depth: dict[int, list[Op]] = {}
    for key, depth in op_depth.items():
        by_depth.setdefault(depth, []).append(ops_by_id[key])
    ordered: list[Op] = []
    for depth in sorted(by_depth, reverse=True):
        ordered.extend(sorted(by_depth[depth], key=lambda op: op_index[id(op)]))

    ordered = [op for op in ordered if not op.hidden]
    nodes_by_depth: dict[int, list[Node]] = {}
    for key, depth in node_depth.items():
        nodes_by_depth.setdefault(depth, []).append(node_by_id[key])
    return GraphOrder(ordered, set(node_depth), _sequential_like(ordered, nodes_by_depth))


def _sequential_like(ops: list[Op], nodes_by_depth: dict[int, list[Node]]) -> bool:
    """Keras prints a graph without "Connected to" when it is a plain chain of single calls."""
    seen: set[int] = set()
    for nodes in nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].inputs) > 1):
            return False
        seen.update(id(n) for n in nodes)
    return all(sum(id(n) in seen for n in op.nodes) <= 1 for op in ops)
