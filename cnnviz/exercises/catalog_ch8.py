"""Chapter 8 of the English edition (zh chapter 7): 8.1-8.5, in cnnviz's own words, and the zh-only items."""

from __future__ import annotations

from cnnviz.exercises.catalog_types import BUILDER, INSIDE, TRAIN, exercise as ex

_USE = ("Press \"Use for training\", then train it on the Train page and compare with the other runs.",
        "按“用于训练”按钮，然后在训练页面训练，并与其他运行结果比较。")


S81 = (
    ex("8.1.1", "7.1.4", "computed",
       ("Analyse AlexNet's resources: the memory of its convolutional and its fully connected layers (which "
        "dominates?), their computation, and how memory bandwidth and latency affect training and inference.",
        "分析 AlexNet 的计算性能：卷积层和全连接层各占多少显存（哪部分占主导）？各需要多少计算？显存带宽和"
        "延迟对训练和预测有何影响？"),
       ("The builder's table gives parameters, FLOPs and activation memory per layer: add them up for the "
        "convolutions and for the dense layers.",
        "构建器的表格逐层给出参数量、浮点运算量和激活值内存：分别对卷积层和全连接层求和。"),
       BUILDER, {"preset": "alexnet"}),
    ex("8.1.2", None, "explore",
       ("As a chip designer, how would you balance compute against memory bandwidth, given that both cost "
        "power and area?",
        "假如你是芯片设计师，需要在算力与显存带宽之间权衡（两者都消耗功耗和面积），你会如何优化？"),
       ("Compare FLOPs per byte of weights for AlexNet's convolutions and its dense layers in the builder.",
        "在构建器中比较 AlexNet 卷积层与全连接层“每字节权重对应的浮点运算量”。"),
       BUILDER, {"preset": "alexnet"}),
    ex("8.1.3", None, "explore",
       ("Why do engineers no longer benchmark hardware with AlexNet?",
        "为什么工程师不再用 AlexNet 做性能基准测试？"),
       ("Compare its size and cost with the later networks in the builder (VGG, NiN, GoogLeNet).",
        "在构建器中把它的规模和计算量与后来的网络（VGG、NiN、GoogLeNet）比较。"),
       BUILDER, {"preset": "alexnet"}),
    ex("8.1.4", "7.1.1", "experiment",
       ("Train AlexNet for more epochs. How do its results differ from LeNet's, and why?",
        "增加 AlexNet 的训练轮数。与 LeNet 的结果有何不同？为什么？"),
       ("On a CPU use the 28×28 AlexNet small; watch the gap between training and test accuracy.",
        "在 CPU 上请用 28×28 的 AlexNet 小型版；注意训练准确率与测试准确率之间的差距。"),
       TRAIN, {"net": "alexnet_small", "then": "lenet_modern", "epochs": 20, "images": "10000"},
       todo=("AlexNet small for 20 epochs on 10,000 images, then Modern LeNet with the same settings: Start "
             "trains both and overlays their curves.",
             "AlexNet 小型版在 10,000 张图像上训练 20 轮，随后以相同设置训练现代 LeNet：按“开始”会先后训练两者并"
             "叠加曲线。")),
    ex("8.1.5", "7.1.2", "experiment",
       ("AlexNet is oversized for 28×28 Fashion-MNIST: simplify it to train faster without losing much "
        "accuracy, and design a better network for 28×28 inputs.",
        "AlexNet 对 Fashion-MNIST 来说可能过于复杂：简化模型以加快训练而准确率不显著下降，并设计一个直接处理 "
        "28×28 图像的更好模型。"),
       ("alexnet_small is one such simplification: remove or narrow layers and watch parameters and FLOPs.",
        "alexnet_small 就是一种简化：删掉或收窄某些层，观察参数量和浮点运算量。"),
       BUILDER, {"preset": "alexnet_small"}, _USE,
       also=(INSIDE, {"model": "untrained-alexnet", "layer": "conv1", "channel": 0, "row": 27, "col": 27},
             ("AlexNet's first layer at 224×224: one unit's 11×11 window (stride 4) and kernel on a 28×28 image "
              "enlarged 8 times. These kernels are untrained; train AlexNet and choose your run to see learned ones.",
              "AlexNet 第一层（224×224 输入）：一个单元的 11×11 窗口（步幅 4）和卷积核，作用在放大 8 倍的 28×28 "
              "图像上。这些卷积核未经训练；训练 AlexNet 后选择你的运行结果，就能看到学到的卷积核。"))),
    ex("8.1.6", "7.1.3", "experiment",
       ("Change the batch size and watch throughput (images per second), accuracy and GPU memory.",
        "修改批量大小，观察吞吐量（每秒图像数）、准确率和 GPU 显存的变化。"),
       ("Keep everything else fixed and overlay the runs.",
        "保持其余设置不变，把各次运行叠加比较。"),
       TRAIN, {"net": "alexnet_small", "batch": "64", "then_batch": "512", "epochs": 2, "images": "10000"},
       todo=("AlexNet small with batch size 64, then with 512, everything else equal: Start trains both and "
             "overlays their curves; each run's status line gives its images per second.",
             "AlexNet 小型版先用批量大小 64、再用 512 训练，其余设置相同：按“开始”会先后训练两者并叠加曲线；"
             "每次运行的状态行给出每秒处理的图像数。")),
    ex("8.1.7", "7.1.5", "experiment",
       ("Give LeNet-5 dropout and ReLU. Does it improve? Can preprocessing that exploits the images' "
        "invariances help further?",
        "给 LeNet-5 加上暂退法（Dropout）和 ReLU，效果有提升吗？利用图像不变性的预处理能否进一步改进？"),
       ("Start from LeNet with ReLU and add Dropout rows after the dense layers.",
        "从 LeNet（ReLU + 最大汇聚）出发，在全连接层后加入 Dropout 行。"),
       BUILDER, {"preset": "lenet_relu"}, _USE),
    ex("8.1.8", None, "experiment",
       ("Can you make AlexNet overfit? Which feature must be removed or changed to break its training?",
        "能让 AlexNet 过拟合吗？去掉或修改哪个部分会让训练失败？"),
       ("Remove the dropout layers, or change the activations, and compare training with test accuracy.",
        "去掉暂退法层，或更换激活函数，比较训练准确率与测试准确率。"),
       BUILDER, {"preset": "alexnet_small"}, _USE),
)

S82 = (
    ex("8.2.1", "7.2.2", "computed",
       ("VGG is slower and hungrier than AlexNet: compare their parameters and the FLOPs of their "
        "convolutional and dense layers, and say how to cut the dense layers' cost.",
        "与 AlexNet 相比，VGG 计算更慢、显存更多：比较两者的参数量及卷积层、全连接层的浮点运算量，并说明如何"
        "降低全连接层的开销。"),
       ("Use the builder's comparison with AlexNet; look at where the parameters and where the FLOPs are.",
        "用构建器与 AlexNet 比较；看参数集中在哪里、计算量集中在哪里。"),
       BUILDER, {"preset": "vgg11"}),
    ex("8.2.2", "7.2.1", "computed",
       ("Printing VGG-11's layer shapes shows 8 entries, not 11. Where are the other three layers?",
        "打印 VGG-11 各层的形状只看到 8 个结果而不是 11 个。剩余的 3 层去哪了？"),
       ("Expand the VGG blocks in the builder's table and count the convolutions inside each.",
        "在构建器表格中展开 VGG 块，数一数每块里有几个卷积层。"),
       BUILDER, {"preset": "vgg11"}),
    ex("8.2.3", "7.2.4", "computed",
       ("Build VGG-16 or VGG-19 from Table 1 of the VGG paper.",
        "参考 VGG 论文的表 1 构建 VGG-16 或 VGG-19 等常见模型。"),
       ("Add convolutions to the later blocks of VGG-11 in the builder and watch the totals.",
        "在构建器中给 VGG-11 后面的块添加卷积层，观察总量变化。"),
       BUILDER, {"preset": "vgg11"}),
    ex("8.2.4", "7.2.3", "experiment",
       ("Upsampling 28×28 images to 224×224 is wasteful: change the network and the input size (56 or 84 in "
        "the English edition, 96 in the zh edition) and see whether accuracy holds.",
        "把 28×28 图像放大到 224×224 很浪费：修改网络与输入尺寸（英文版为 56 或 84，中文版为 96），看准确率能否"
        "保持。"),
       ("VGG small works at 28×28; compare its cost with VGG-11 at 224×224.",
        "VGG 小型版直接处理 28×28；把它的计算量与 224×224 的 VGG-11 比较。"),
       BUILDER, {"preset": "vgg_small"}, _USE),
)

S83 = (
    ex("8.3.1", "7.3.2", "experiment",
       ("Why does a NiN block have two 1×1 convolutions? Try three, and one. What changes?",
        "为什么 NiN 块中有两个 1×1 卷积层？改成三个、一个，会有什么变化？"),
       ("Edit the NiN blocks in the builder and compare parameters, then train the variants.",
        "在构建器中修改 NiN 块并比较参数量，再训练这些变体。"),
       BUILDER, {"preset": "nin_small"}, _USE),
    ex("8.3.2", None, "experiment",
       ("What happens when the 1×1 convolutions become 3×3?",
        "如果把 1×1 卷积换成 3×3 卷积，会有什么变化？"),
       ("Each 1×1 becomes nine times as many weights per channel pair: watch parameters and FLOPs.",
        "每对通道的权重变为原来的 9 倍：观察参数量和浮点运算量。"),
       BUILDER, {"preset": "nin_small"}, _USE),
    ex("8.3.3", None, "experiment",
       ("Replace NiN's global average pooling with a fully connected layer: speed, accuracy, parameters?",
        "把 NiN 的全局平均汇聚层换成全连接层：速度、准确率和参数量如何变化？"),
       ("Swap the GlobalAvgPool row for Flatten + Linear in the builder and compare.",
        "在构建器中把 GlobalAvgPool 行换成 Flatten + Linear 并比较。"),
       BUILDER, {"preset": "nin_small"}, _USE),
    ex("8.3.4", "7.3.3", "computed",
       ("Work out NiN's resources: parameters, computation, memory for training and for prediction.",
        "计算 NiN 的资源使用情况：参数数量、计算量、训练和预测时所需的显存。"),
       ("The builder's totals give parameters and FLOPs; training also keeps every activation and the "
        "gradients.",
        "构建器的总计给出参数量和浮点运算量；训练时还要保存所有激活值和梯度。"),
       BUILDER, {"preset": "nin"}),
    ex("8.3.5", "7.3.4", "explore",
       ("What could go wrong when a 384×5×5 representation is reduced to 10×5×5 in one step?",
        "一次性把 384×5×5 的表示缩减为 10×5×5，会有哪些问题？"),
       ("Think of how much information a single 1×1 layer can keep, and look at the last NiN block's shapes.",
        "想想单个 1×1 层能保留多少信息，并查看最后一个 NiN 块的形状。"),
       BUILDER, {"preset": "nin"}),
    ex("8.3.6", None, "explore",
       ("Use the ideas that took VGG from 11 to 16 and 19 layers to design a family of NiN-like networks.",
        "借鉴 VGG-11、VGG-16、VGG-19 的设计思路，设计一族类似 NiN 的网络。"),
       ("Add blocks or 1×1 layers to nin in the builder and track how cost grows with depth.",
        "在构建器中给 nin 添加块或 1×1 层，看计算量如何随深度增长。"),
       BUILDER, {"preset": "nin"}),
    ex("zh-7.3.1", "7.3.1", "experiment",
       ("Tune NiN's hyperparameters to improve its classification accuracy.",
        "调整 NiN 的超参数以提高分类准确率。"),
       ("Change one setting at a time (learning rate, epochs, channels) and overlay the runs.",
        "每次只改一个设置（学习率、轮数、通道数），叠加比较各次运行。"),
       BUILDER, {"preset": "nin_small"}, _USE),
)

S84 = (
    ex("8.4.1", "7.4.1", "explore",
       ("Implement and run later versions of GoogLeNet: batch normalisation, reworked Inception blocks, "
        "label smoothing, residual connections.",
        "实现并运行 GoogLeNet 的后续版本：加入批量规范化、调整 Inception 块、标签平滑、加入残差连接。"),
       ("Batch norm rows can be added in the builder; label smoothing and residual connections are not "
        "offered by cnnviz.",
        "可在构建器中添加批量规范化行；标签平滑和残差连接 cnnviz 暂不提供。"),
       BUILDER, {"preset": "googlenet_small"}),
    ex("8.4.2", "7.4.2", "computed",
       ("What is the smallest input image GoogLeNet can process?",
        "使用 GoogLeNet 的最小图像大小是多少？"),
       ("Trace the shapes backwards: each stride-2 layer halves the size, and no window may be larger than "
        "its input.",
        "从后往前推形状：每个步幅为 2 的层把尺寸减半，而任何窗口都不能大于其输入。"),
       BUILDER, {"preset": "googlenet"}),
    ex("8.4.3", None, "experiment",
       ("Design a GoogLeNet variant for 28×28 Fashion-MNIST images: what changes in the stem, the body and "
        "the head?",
        "设计一个直接处理 28×28 Fashion-MNIST 图像的 GoogLeNet 变体：主干、主体和输出头各需怎样修改？"),
       ("GoogLeNet small is a starting point; compare its stem with GoogLeNet's.",
        "GoogLeNet 小型版可作为起点；把它的主干与 GoogLeNet 的比较。"),
       BUILDER, {"preset": "googlenet_small"}, _USE),
    ex("8.4.4", "7.4.3", "computed",
       ("Compare the parameter counts of AlexNet, VGG, NiN and GoogLeNet. How do the last two get so small?",
        "比较 AlexNet、VGG、NiN 和 GoogLeNet 的模型参数量。后两者是如何显著减少参数量的？"),
       ("Look at which layers hold most parameters in each: the dense head.",
        "看每个网络中参数主要集中在哪些层：全连接输出头。"),
       BUILDER, {"preset": "googlenet"}),
    ex("8.4.5", None, "explore",
       ("Compare the computation of GoogLeNet and AlexNet. What does that mean for an accelerator's memory, "
        "bandwidth, cache and special operations?",
        "比较 GoogLeNet 与 AlexNet 的计算量。这对加速器芯片的内存大小、带宽、缓存和专用运算的设计意味着什么？"),
       ("The builder's comparison shows FLOPs and memory of both side by side.",
        "构建器的比较功能把两者的浮点运算量和内存并排显示。"),
       BUILDER, {"preset": "googlenet"}),
)

S85 = (
    ex("8.5.1", "7.5.1", "computed",
       ("Should the bias of a dense or convolutional layer right before batch normalisation be dropped? Why?",
        "在批量规范化之前的全连接层或卷积层中，能否去掉偏置参数？为什么？"),
       ("Batch norm subtracts the mean over the batch: what happens to a constant added before it?",
        "批量规范化会减去小批量的均值：在它之前加上的常数会怎样？"),
       BUILDER, {"preset": "lenet_bn"}),
    ex("8.5.2", "7.5.2", "experiment",
       ("Compare learning rates for LeNet with and without batch normalisation: plot the rise in accuracy, "
        "and find how large the rate can go before training fails.",
        "比较 LeNet 在使用和不使用批量规范化时的学习率：绘制准确率的上升，并找出训练失败前学习率能有多大。"),
       ("Train LeNet and LeNet + BatchNorm at the same learning rates, then raise it until one of them fails.",
        "用相同的学习率训练 LeNet 和批量规范化 LeNet，再逐步增大学习率，直到其中一个训练失败。"),
       TRAIN, {"net": "lenet_bn", "then": "lenet", "optimizer": "sgd", "lr": "1.0", "batch": "256", "epochs": 5,
               "images": "10000", "momentum": "0.0", "init": "xavier", "scaling": "unit", "schedule": "constant"},
       todo=("LeNet + BatchNorm, then the book's LeNet, both with plain SGD at lr 1.0 for 5 epochs on 10,000 "
             "images: Start trains both and overlays their curves. Then change the learning rate and compare again.",
             "先训练批量规范化 LeNet，再训练书中的 LeNet，都用普通 SGD、学习率 1.0，在 10,000 张图像上训练 5 轮："
             "按“开始”会先后训练两者并叠加曲线。然后改变学习率再比较。")),
    ex("8.5.3", "7.5.3", "experiment",
       ("Is batch normalisation needed in every layer? Try it.",
        "是否每一层都需要批量规范化？试一试。"),
       ("Remove BatchNorm rows from LeNet + BatchNorm one at a time and train each variant.",
        "从批量规范化 LeNet 中逐个删除 BatchNorm 行，分别训练。"),
       BUILDER, {"preset": "lenet_bn"}, _USE),
    ex("8.5.4", None, "computed",
       ("Build a 'lite' batch norm that only removes the mean, or only divides by the standard deviation. "
        "How does it behave?",
        "实现只减去均值、或只除以标准差的“简化版”批量规范化。它表现如何？"),
       ("cnnviz's BatchNorm does both; write the variant in PyTorch and compare training curves.",
        "cnnviz 的 BatchNorm 两者都做；在 PyTorch 中写出该变体并比较训练曲线。"),
       BUILDER, {"preset": "lenet_bn"}),
    ex("8.5.5", "7.5.5", "explore",
       ("Freeze the scale gamma and shift beta. What do you observe?",
        "固定参数 gamma 和 beta，观察并分析结果。"),
       ("With gamma = 1 and beta = 0 every channel is forced to zero mean and unit variance.",
        "当 gamma = 1、beta = 0 时，每个通道都被强制为零均值、单位方差。"),
       BUILDER, {"preset": "lenet_bn"}),
    ex("8.5.6", "7.5.4", "explore",
       ("Can batch normalisation replace dropout? How does behaviour change?",
        "可以用批量规范化替换暂退法吗？行为会如何改变？"),
       ("Both add noise during training only; compare AlexNet small with its dropout layers replaced.",
        "两者都只在训练时引入噪声；把 AlexNet 小型版的暂退法层替换后比较。"),
       BUILDER, {"preset": "alexnet_small"}),
    ex("8.5.7", "7.5.7", "explore",
       ("Research: other normalising transforms, such as the probability integral transform, a full-rank "
        "covariance estimate, structured matrices, sparsification, other projections.",
        "研究思路：其他规范化变换，例如概率积分变换、全秩协方差估计、结构化矩阵、稀疏化、其他投影。"),
       ("Open-ended: think of the cost of a full covariance per layer and how it scales with channels.",
        "开放问题：想想每层估计全协方差的代价，以及它如何随通道数增长。"),
       BUILDER, {"preset": "lenet_bn"}),
    ex("zh-7.5.6", "7.5.6", "explore",
       ("Read the deep-learning framework's documentation of BatchNorm to find other uses of it.",
        "查看深度学习框架中 BatchNorm 的在线文档，了解批量规范化的其他应用。"),
       ("PyTorch has BatchNorm1d, 2d and 3d and a momentum for the running statistics.",
        "PyTorch 提供 BatchNorm1d、2d、3d，以及用于滑动统计量的 momentum 参数。"),
       BUILDER, {"preset": "lenet_bn"}),
)

CH8 = S81 + S82 + S83 + S84 + S85
