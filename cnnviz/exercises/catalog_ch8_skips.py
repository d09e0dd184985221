"""Chapter 8 of the English edition, 8.6 (ResNet), 8.7 (DenseNet) and 8.8 (designing network families, English
edition only), zh 7.6 and 7.7: in cnnviz's own words.

The zh edition's lists hold the same five items in the same order; its 7.6.1 asks how the two blocks relate
once some Inception paths are removed, where the English one asks about cost, accuracy and function classes:
the statement below covers both.
"""

from __future__ import annotations

from cnnviz.exercises.catalog_types import BUILDER, exercise as ex



def _use(network: str, zh: str | None = None) -> tuple[str, str]:
    """The to-do line of a builder experiment: train the edited network and compare it with `network`."""
    return (f"Press \"Use for training\", then train it on the Train page and compare with {network}.",
            f"按“用于训练”按钮，然后在训练页面训练，并与 {zh or network} 比较。")


_USE = _use("resnet18")

S86 = (
    ex("8.6.1", "7.6.1", "explore",
       ("How does the Inception block differ from the residual block: in computation, in accuracy, in the "
        "functions each can represent? What is left of an Inception block once all but one path is removed?",
        "比较 Inception 块和残差块：两者的计算开销、能达到的精度、能表示的函数类各有什么不同？如果把 Inception 块的"
        "分支删到只剩一条，它和残差块还差在哪里？"),
       ("A residual block adds its input to one path; an Inception block concatenates four paths and never "
        "passes its input through unchanged. Compare googlenet and resnet18 in the builder.",
        "残差块把输入加到一条路径的输出上；Inception 块把四条路径连结起来，从不原样传递输入。在构建器中比较 "
        "googlenet 与 resnet18。"),
       BUILDER, {"preset": "resnet18"}),
    ex("8.6.2", "7.6.2", "experiment",
       ("Build other ResNet depths from Table 1 of the ResNet paper, such as ResNet-34 with 3, 4, 6 and 3 "
        "residual blocks per stage.",
        "ResNet 论文的表 1 还列出了更深的网络。搭一个 ResNet-34 试试：四个阶段依次放 3、4、6、3 个残差块。"),
       ("Add ResidualBlock rows to resnet18 (the first of each stage with stride 2 and a 1×1 shortcut) and "
        "watch the parameters and FLOPs grow.",
        "在 resnet18 中添加 ResidualBlock 行（每个阶段的第一个用步幅 2 和 1×1 卷积捷径），观察参数量和浮点运算量的"
        "增长。"),
       BUILDER, {"preset": "resnet18"}, _USE),
    ex("8.6.3", "7.6.3", "experiment",
       ("The deepest ResNets keep their cost down with a bottleneck block (narrow in the middle). Put one together.",
        "层数很多的 ResNet 改用中间变窄的瓶颈块来控制计算量。动手搭出这样的块。"),
       ("The bottleneck block (1×1 down to a quarter of the channels, 3×3, 1×1 back up) is a ResNeXtBlock "
        "with 1 group and bottleneck multiplier 0.25: type '1, 0.25, 1×1' in its option cell and compare its "
        "parameters with a ResidualBlock of the same width.",
        "瓶颈块（1×1 卷积降到四分之一通道、3×3 卷积、1×1 卷积升回）就是组数为 1、瓶颈倍数为 0.25 的 ResNeXtBlock："
        "在它的选项格中输入 '1, 0.25, 1×1'，并与同样宽度的 ResidualBlock 比较参数量。"),
       BUILDER, {"preset": "resnet18"}, _USE),
    ex("8.6.4", "7.6.4", "experiment",
       ("A later version of ResNet runs each block as batch norm, then activation, then convolution "
        "(pre-activation). Apply that order and see what changes.",
        "后来的 ResNet 把块内的顺序调成先批量规范化、再激活、最后卷积（预激活）。把这种顺序用到网络上，看看有什么变化。"),
       ("Type `, preact` after the shortcut in a residual block's option cell (`identity, preact` or "
        "`1×1, preact`): the block then runs BN, ReLU, convolution twice, with nothing after the sum. Change "
        "every block of ResNet small, then train both versions and compare.",
        "在残差块的选项格中于捷径之后输入 `, preact`（`identity, preact` 或 `1×1, preact`）：这个块就会两次执行"
        "批量规范化、ReLU、卷积，相加之后不再激活。把 ResNet 小型版的每个块都改掉，然后训练两个版本并比较。"),
       BUILDER, {"preset": "resnet_small"}, _use("ResNet small", "ResNet 小型版")),
    ex("8.6.5", "7.6.5", "explore",
       ("Nested function classes never lose what a smaller one could do; so why not keep making the model "
        "more complex?",
        "函数类一层套一层时，大的总包含小的；那为什么模型还是不宜越做越复杂？"),
       ("More capacity needs more data and compute, and fits noise: train resnet_small and watch the gap "
        "between training and test accuracy.",
        "更大的容量需要更多数据和计算，还会拟合噪声：训练 resnet_small，观察训练精度与测试精度之间的差距。"),
       BUILDER, {"preset": "resnet_small"}),
)

S87 = (
    ex("8.7.1", "7.7.1", "explore",
       ("The transition layer pools by averaging. What would be lost with a max pool there?",
        "过渡层选的是平均汇聚。换成最大汇聚会丢掉什么？"),
       ("Every value a dense block concatenated is a feature later layers may need: averaging keeps a share "
        "of all four, and every one of them gets gradient; a max pool keeps one.",
        "稠密块连结的每个值都可能被后面的层用到：平均汇聚保留四个值各自的一份，并让每个值都得到梯度；最大汇聚只"
        "保留一个。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.2", "7.7.2", "explore",
       ("DenseNet gets by with far fewer parameters than ResNet. Where does the saving come from?",
        "DenseNet 用的参数远少于 ResNet。省下的参数从哪里来？"),
       ("Compare densenet (758,226) with resnet18 (11,178,378): each dense step outputs only 32 channels "
        "(the growth rate) and transitions halve the channels, while ResNet's 3×3 convolutions reach 512 "
        "channels in and out.",
        "比较 densenet（758,226）与 resnet18（11,178,378）：稠密块每一步只输出 32 个通道（增长率），过渡层又把通道"
        "数减半，而 ResNet 的 3×3 卷积输入输出都达到 512 个通道。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.3", "7.7.3", "explore",
       ("DenseNet is said to need much memory. Is that so at 224×224? How else could memory be cut, and what "
        "would the framework need for it?",
        "都说 DenseNet 很占内存。输入为 224×224 时实际情况如何？还有哪些省内存的办法，深度学习框架要为此提供什么？"),
       ("Set the input to 224 and read the training memory, then do the same for resnet18. Each concatenation "
        "copies everything before it; recomputing them in the backward pass instead of storing them is one "
        "way out.",
        "把输入设为 224，读出训练内存，再对 resnet18 做同样的事。每次连结都会复制它之前的全部特征；在反向传播时"
        "重新计算而不保存它们是一种办法。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.4", "7.7.4", "explore",
       ("The DenseNet paper's Table 1 lists several sizes (DenseNet-121 and larger). Build some of them.",
        "DenseNet 论文的表 1 列出了几种规模（DenseNet-121 及更大的）。搭出其中几种。"),
       ("DenseNet-121 has dense blocks of 6, 12, 24 and 16 steps with growth rate 32; the paper's steps also "
        "start with a 1×1 convolution that cnnviz's dense block leaves out.",
        "DenseNet-121 的四个稠密块分别有 6、12、24、16 步，增长率为 32；论文中的每一步还先有一个 1×1 卷积，"
        "cnnviz 的稠密块没有这一层。"),
       BUILDER, {"preset": "densenet"}),
    ex("8.7.5", "7.7.5", "explore",
       ("Carry dense connections over to a multilayer perceptron and try it on predicting house prices.",
        "把稠密连接的做法搬到多层感知机上，用它来预测房价试试。"),
       ("Each dense layer's output is concatenated to its input features; cnnviz builds image networks "
        "only, so write it in PyTorch after the exported dense block.",
        "每个全连接层的输出都与它的输入特征连结；cnnviz 只构建图像网络，可以照着导出的稠密块代码用 PyTorch 写。"),
       BUILDER, {"preset": "densenet"}),
)

S88 = (
    ex("8.8.1", None, "experiment",
       ("Give RegNetX a third and a fourth stage. How do its accuracy, parameters and cost change?",
        "给 RegNetX 加上第三、第四个阶段。精度、参数量和计算量如何变化？"),
       ("A stage is a run of ResNeXtBlock rows whose first block has stride 2 and a 1×1 shortcut, or one "
        "AnyNetStage row (option: blocks, channels per group, bottleneck multiplier, e.g. '4, 16, 1'); keep 16 "
        "channels per group and let the widths grow (e.g. 32, 80, 160, 320). At 96×96 four stride-2 stages "
        "after the stem leave 3×3 maps.",
        "一个阶段就是一串 ResNeXtBlock 行，其中第一个块的步幅为 2、带 1×1 卷积捷径，也可以是一个 AnyNetStage 行（选项："
        "块数、每组通道数、瓶颈倍数，例如 '4, 16, 1'）；保持每组 16 个通道，让宽度逐级"
        "增大（例如 32、80、160、320）。在 96×96 的输入上，主干之后的四个步幅为 2 的阶段留下 3×3 的特征图。"),
       BUILDER, {"preset": "regnetx32"}, _use("RegNetX-32")),
    ex("8.8.2", None, "experiment",
       ("Swap RegNet's ResNeXt blocks for ResNet's residual blocks. Which trains better here?",
        "把 RegNet 中的 ResNeXt 块换成 ResNet 的残差块。在这里哪一种训练得更好？"),
       ("Change each ResNeXtBlock row to a ResidualBlock of the same width and stride, keeping the 1×1 "
        "shortcuts; the table shows the parameters each choice costs. Train RegNetX small and your variant.",
        "把每个 ResNeXtBlock 行改成宽度和步幅相同的 ResidualBlock，保留 1×1 卷积捷径；表格会显示每种选择的参数量。"
        "训练 RegNetX 小型版和你的变体并比较。"),
       BUILDER, {"preset": "regnet_small"}, _use("RegNetX small", "RegNetX 小型版")),
    ex("8.8.3", None, "experiment",
       ("Break RegNet's design rules one at a time (depth, width, groups, bottleneck) and train each variant. "
        "Which rule matters most?",
        "逐条打破 RegNet 的设计规则（深度、宽度、组数、瓶颈），并训练每个变体。哪条规则最重要？"),
       ("Start from RegNetX small: make one stage shallower than the other, narrow a later stage, change the "
        "groups or the bottleneck multiplier in the option cell, and compare the test accuracy of each run on "
        "the Train page's overlay.",
        "从 RegNetX 小型版出发：让一个阶段比另一个更浅、把后面的阶段变窄、在选项格中改变组数或瓶颈倍数，然后在训练"
        "页面的叠加图中比较每次运行的测试精度。"),
       BUILDER, {"preset": "regnet_small"}, _use("RegNetX small", "RegNetX 小型版")),
    ex("8.8.4", None, "explore",
       ("Run a design-space search for an MLP: which rules would you look for, and do rules found on small "
        "networks carry over to large ones?",
        "为多层感知机做一次设计空间搜索：你会寻找哪些规则？在小网络上找到的规则能推广到大网络吗？"),
       ("Sample many small networks with random depths and widths, train each briefly and compare the "
        "distributions of their errors, as the section does for AnyNet; cnnviz builds image networks only, "
        "so the MLP is written in PyTorch.",
        "像本节对 AnyNet 那样，随机采样许多深度和宽度不同的小网络，各自短暂训练，再比较它们误差的分布；"
        "cnnviz 只构建图像网络，所以多层感知机要用 PyTorch 来写。"),
       BUILDER, {"preset": "regnet_small"}),
)

CH8_SKIPS = S86 + S87 + S88
