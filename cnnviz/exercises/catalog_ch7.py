"""Chapter 7 of the English edition (zh chapter 6): 7.2-7.6, in cnnviz's own words, and the zh-only items."""

from __future__ import annotations

from cnnviz.exercises.catalog_types import ACTIVATIONS, BUILDER, CONV, EDGE, INSIDE, TRAIN, exercise as ex

_ONES_3X5 = [[1.0] * 5] * 3  # the 3x5 kernel of 7.3's last example (its values do not change the shape)

S72 = (
    ex("7.2.1", "6.2.1", "computed",
       ("Make an image whose edge runs diagonally. What does the section's edge kernel [1, -1] give on it, "
        "on the image transposed, and when the kernel itself is transposed?",
        "构造一幅边缘沿对角线走向的图像。本节的边缘卷积核 [1, -1] 作用于它、作用于它的转置、以及转置卷积核后，"
        "各得到什么？"),
       ("A horizontal difference only sees changes along a row; transposing the image or the kernel swaps rows "
        "and columns. Page 1 opens on a diagonal edge with [1, -1]; then load the transposed kernel, and try "
        "both on the vertical-edge image, where the transposed one goes blind.",
        "水平差分只看到一行之内的变化；转置图像或卷积核会交换行和列。第 1 页打开时是对角边缘图像和 [1, -1]；"
        "再载入转置的卷积核，并在竖直边缘图像上试试这两个核，转置的那个会“看不见”边缘。"),
       CONV, {"input": "diagonal edge 6x6", "kpreset": "edge [1, -1]"}),
    ex("7.2.2", "6.2.4", "computed",
       ("Design kernels by hand: an edge detector for a chosen direction, a second-derivative (finite "
        "difference) kernel and its smallest size, a blur kernel, and the smallest kernel for a derivative "
        "of order d.",
        "手工设计卷积核：二阶导数的核是什么样的？积分的核呢？得到 d 阶导数的最小卷积核有多大？（英文版还问某一方向"
        "的边缘检测核和模糊核。）"),
       ("Each derivative order needs one more tap. Try the Laplacian and the blur presets on page 1 and compare "
        "what lights up.",
        "每高一阶导数就多需要一个系数。在第 1 页试试拉普拉斯核和模糊核预设，比较哪些位置响应最强。"),
       CONV, {"input": "edge image 6x8", "kpreset": "Laplacian"}),
    ex("7.2.3", "6.2.2", "computed",
       ("Ask autograd for the gradient of the section's hand-written Conv2D class. Which error message, "
        "if any, appears, and why?",
        "对本节手写的 Conv2D 类自动求导。会出现什么错误消息（如果有的话）？为什么？"),
       ("Run the section's code with a requires_grad kernel and read what happens (the exercise was written "
        "for another framework). Page 2 learns a kernel by gradient descent through the same operation.",
        "用 requires_grad 的卷积核运行本节代码，看看会发生什么（这道题最初是为另一个框架写的）。第 2 页正是通过"
        "同一运算用梯度下降学习卷积核。"),
       EDGE, {"input": "stripes", "target": "vertical"},
       todo=("Press Play: the loss falls as the gradient moves the kernel towards [1, -1].",
                   "按“播放”：梯度推动卷积核趋向 [1, -1]，损失随之下降。")),
    ex("7.2.4", "6.2.3", "computed",
       ("Rewrite a cross-correlation as one matrix product by reshaping the input and the kernel.",
        "通过改变输入张量和卷积核张量的形状，把互相关运算写成一次矩阵乘法。"),
       ("Either unroll the input's windows into rows (im2col) or spread the kernel into a sparse matrix "
        "(Toeplitz). On page 1 every output cell is one row of that product.",
        "要么把输入的每个窗口展开成一行（im2col），要么把卷积核铺成稀疏矩阵（Toeplitz）。第 1 页上每个输出"
        "元素就是这个乘积的一行。"),
       CONV, {"input": "4x4 arange", "kpreset": "book [[0, 1], [2, 3]]"}),
)

S73 = (
    ex("7.3.1", "6.3.1", "computed",
       ("For the section's last example (kernel 3×5, padding (0, 1), stride (3, 4) on an 8×8 input), work "
        "out the output shape and check it against the code.",
        "对本节最后一个示例（8×8 输入，卷积核 3×5，填充 (0, 1)，步幅 (3, 4)），计算输出形状并与实验结果对照。"),
       ("Use floor((n - k + p_total + s) / s) per axis. Page 1 opens with exactly this setting.",
        "每个方向用 floor((n - k + 总填充 + s) / s)。第 1 页已按此设置打开。"),
       CONV, {"input": "random integers", "rand_h": 8, "rand_w": 8, "kernel": _ONES_3X5,
              "pad_w": 1, "stride_h": 3, "stride_w": 4}),
    ex("7.3.2", "6.3.3", "explore",
       ("What does a stride of 2 mean for a sound signal?",
        "对音频信号而言，步幅为 2 意味着什么？"),
       ("Think of samples per second. Page 1 opens a 1×16 signal averaged in pairs with stride 2: count the "
        "outputs.",
        "想想每秒的采样数。第 1 页打开的是一个 1×16 的信号，以步幅 2 两两平均：数一数输出有几个。"),
       CONV, {"input": "random integers", "rand_h": 1, "rand_w": 16, "kernel": [[0.5, 0.5]], "stride_w": 2}),
    ex("7.3.3", None, "computed",
       ("Implement padding that mirrors the border values instead of adding zeros.",
        "实现镜像填充：边界外的值取边界内值的镜像，而不是补零。"),
       ("torch.nn.functional.pad has a mode for this. Page 1 shows zero padding (sand-coloured cells): "
        "imagine those cells holding the mirrored neighbours.",
        "torch.nn.functional.pad 有相应的模式。第 1 页显示的是零填充（沙色格子）：想象这些格子里换成镜像的"
        "邻居值。"),
       CONV, {"pad_h": 1, "pad_w": 1}),
    ex("7.3.4", "6.3.4", "computed",
       ("What do we gain in computation from a stride larger than 1?",
        "步幅大于 1 在计算上有什么好处？"),
       ("Compare the number of output cells (each a full window sum) at stride 1 and at stride 2 on page 1; "
        "the Architecture builder shows the FLOPs per layer.",
        "在第 1 页比较步幅 1 和步幅 2 时输出元素的个数（每个都是一次完整的窗口求和）；架构构建器页显示每层的"
        "浮点运算量。"),
       CONV, {"input": "random integers", "rand_h": 12, "rand_w": 12, "kpreset": "box blur",
              "stride_h": 2, "stride_w": 2}),
    ex("7.3.5", None, "explore",
       ("What statistical advantages could a stride larger than 1 bring?",
        "步幅大于 1 在统计上可能有什么好处？"),
       ("Think of neighbouring outputs that share most of their window, and of the receptive field of the "
        "layers after it.",
        "想想相邻输出的窗口大部分重叠，以及其后各层的感受野。"),
       CONV, {"input": "random integers", "rand_h": 12, "rand_w": 12, "stride_h": 3, "stride_w": 3}),
    ex("7.3.6", None, "computed",
       ("How could a stride of 1/2 be realised, what would it mean, and when is it useful?",
        "如何实现 1/2 的步幅？它意味着什么？什么时候有用？"),
       ("Picture zeros inserted between the input's pixels before an ordinary stride-1 pass (PyTorch's "
        "ConvTranspose2d). Page 1's padding shows the zeros-around case.",
        "设想先在输入像素之间插入零，再做普通的步幅 1 运算（即 PyTorch 的 ConvTranspose2d）。第 1 页的填充"
        "展示了在四周补零的情形。"),
       CONV, {"input": "book 3x3 arange", "pad_h": 1, "pad_w": 1}),
    ex("zh-6.3.2", "6.3.2", "computed",
       ("Try other combinations of padding and stride on the section's example.",
        "在本节的实验中试试其他填充和步幅的组合。"),
       ("Change padding and stride in page 1's sidebar; the output shape and the check against PyTorch follow.",
        "在第 1 页侧栏中修改填充和步幅；输出形状和与 PyTorch 的对照会随之更新。"),
       CONV, {"input": "random integers", "rand_h": 8, "rand_w": 8, "pad_h": 1, "pad_w": 2, "stride_h": 2}),
)

S74 = (
    ex("7.4.1", "6.4.1", "computed",
       ("Two convolutions of sizes k1 and k2 follow each other with no nonlinearity: show they equal one "
        "convolution, give its size, and ask whether every convolution splits into two smaller ones.",
        "两个大小分别为 k1 和 k2 的卷积核依次作用、中间没有非线性：证明它们等价于一次卷积，求其大小，并思考"
        "是否任何卷积都能拆成两个更小的卷积。"),
       ("Convolution is associative. For the converse, count free parameters: a 3×3 kernel has 9, two 2×2 "
        "kernels have 8.",
        "卷积满足结合律。反过来，数一数自由参数：3×3 卷积核有 9 个，两个 2×2 卷积核只有 8 个。"),
       CONV, {"input": "edge image 6x8", "kpreset": "box blur"}),
    ex("7.4.2", "6.4.2", "computed",
       ("For an input c_i x h x w and a kernel c_o x c_i x k_h x k_w with padding and stride, find the "
        "forward cost, the memory, and the backward memory and cost.",
        "输入为 c_i x h x w，卷积核为 c_o x c_i x k_h x k_w，给定填充和步幅：求前向传播的计算量、内存占用，"
        "以及反向传播的内存占用和计算量。"),
       ("Each output value costs c_i * k_h * k_w multiply-adds. The Architecture builder lists parameters, "
        "FLOPs and activation memory per layer for LeNet.",
        "每个输出值需要 c_i * k_h * k_w 次乘加。架构构建器页逐层列出 LeNet 的参数量、浮点运算量和激活值内存。"),
       BUILDER, {"preset": "lenet"}),
    ex("7.4.3", "6.4.3", "computed",
       ("By how much does the work grow when both c_i and c_o double? And when the padding doubles?",
        "把输入通道数 c_i 和输出通道数 c_o 都加倍，计算量增加多少？把填充加倍又如何？"),
       ("The cost is a product of c_i and c_o; padding only changes the output's height and width.",
        "计算量是 c_i 与 c_o 的乘积的倍数；填充只改变输出的高和宽。"),
       CONV, {"mode": "Multi-channel", "c_in": 3, "c_out": 3}),
    ex("7.4.4", "6.4.5", "computed",
       ("Are Y1 and Y2 of the section's last example (1×1 convolution two ways) exactly equal? Why?",
        "本节最后一个示例中的 Y1 和 Y2（两种方式计算 1×1 卷积）是否完全相同？为什么？"),
       ("Mathematically yes; in floating point the sums run in a different order. Page 1's 1×1 mode shows "
        "the matrix product and the largest difference from PyTorch.",
        "数学上相同；浮点运算中求和顺序不同。第 1 页的 1×1 模式显示矩阵乘积及其与 PyTorch 的最大差值。"),
       CONV, {"mode": "1×1 convolution", "c_in": 3, "c_out": 2}),
    ex("7.4.5", "6.4.6", "computed",
       ("Write a convolution with a window larger than 1×1 as a matrix multiplication.",
        "当卷积窗口不是 1×1 时，如何用矩阵乘法实现卷积？"),
       ("Unroll every window of every input channel into one column (im2col); the kernels become the rows "
        "of a c_o x (c_i k_h k_w) matrix.",
        "把每个输入通道的每个窗口展开成一列（im2col）；卷积核则成为 c_o x (c_i k_h k_w) 矩阵的行。"),
       CONV, {"mode": "Multi-channel"}),
    ex("7.4.6", None, "explore",
       ("A fast k x k convolution can read a k-wide strip per output column, or a (k + Δ)-wide strip per Δ "
        "output columns. Why is the second better, and how large should Δ be?",
        "实现快速的 k x k 卷积：每次读 k 宽的条带算出 1 列输出，或读 k + Δ 宽的条带算出 Δ 列输出。为什么后者"
        "更好？Δ 应有上限吗？"),
       ("Count how many input columns are read per output column in each scheme, then think about cache "
        "size.",
        "数一数两种方案中每得到一列输出要读入多少列输入，再想想缓存的大小。"),
       CONV, {"input": "edge image 6x8", "kpreset": "box blur"}),
    ex("7.4.7", None, "computed",
       ("Multiplying by a c x c matrix split into b diagonal blocks: how much faster is it, what is lost, and "
        "how can the loss be partly repaired?",
        "与一个分成 b 个对角块的 c x c 矩阵相乘：能快多少？失去了什么？如何部分弥补？"),
       ("A 1×1 convolution is a c_o x c_i matrix per pixel (page 1's 1×1 mode); blocks are grouped "
        "convolutions. Think about which channels can still talk to each other.",
        "1×1 卷积在每个像素上就是一个 c_o x c_i 矩阵（第 1 页的 1×1 模式）；分块即分组卷积。想想哪些通道之间"
        "还能交换信息。"),
       CONV, {"mode": "1×1 convolution", "c_in": 3, "c_out": 3}),
    ex("zh-6.4.4", "6.4.4", "computed",
       ("With a 1×1 kernel (k_h = k_w = 1), what does the forward pass cost?",
        "如果卷积核的高和宽都是 1（k_h = k_w = 1），前向传播的计算复杂度是多少？"),
       ("Per pixel it is a c_o x c_i matrix times a vector.",
        "在每个像素上，它就是一个 c_o x c_i 矩阵乘以一个向量。"),
       CONV, {"mode": "1×1 convolution", "c_in": 3, "c_out": 2}),
)

S75 = (
    ex("7.5.1", "6.5.1", "computed",
       ("Build average pooling out of a convolution.",
        "用卷积层实现平均汇聚层。"),
       ("A constant kernel of 1/(p_h p_w) with the stride equal to the window. Page 1 opens average pooling "
        "2×2 with stride 2.",
        "卷积核取常数 1/(p_h p_w)，步幅等于窗口大小。第 1 页已打开步幅为 2 的 2×2 平均汇聚。"),
       CONV, {"mode": "Pooling", "pool_mode": "avg", "pool_stride_h": 2, "pool_stride_w": 2}),
    ex("7.5.2", "6.5.2", "computed",
       ("Show that no convolution alone can do max pooling (the zh edition asks to try building it as a "
        "convolution: find out why that fails).",
        "说明单靠卷积无法实现最大汇聚层（中文版要求尝试把最大汇聚层实现为卷积层的特例：找出为什么做不到）。"),
       ("A convolution is linear: check whether max(a + b) = max(a) + max(b) for two small windows.",
        "卷积是线性运算：用两个小窗口检验 max(a + b) 是否等于 max(a) + max(b)。"),
       CONV, {"mode": "Pooling", "pool_mode": "max"}),
    ex("7.5.3", None, "computed",
       ("Write max(a, b) with ReLU alone, use it to build max pooling from convolutions and ReLUs, and count "
        "the channels and layers a 2×2 and a 3×3 window need.",
        "只用 ReLU 写出 max(a, b)，据此用卷积和 ReLU 实现最大汇聚，并数一数 2×2 和 3×3 窗口各需要多少通道和层。"),
       ("max(a, b) = b + ReLU(a - b). A 2×2 window is a tournament of pairwise maxima.",
        "max(a, b) = b + ReLU(a - b)。2×2 窗口就是一场两两比较的淘汰赛。"),
       CONV, {"mode": "Pooling", "pool_mode": "max", "pool_stride_h": 2, "pool_stride_w": 2}),
    ex("7.5.4", "6.5.3", "computed",
       ("What does a pooling layer cost for an input c x h x w, a p_h x p_w window, padding (p_h, p_w) and "
        "stride (s_h, s_w)?",
        "汇聚层的输入为 c x h x w，汇聚窗口为 p_h x p_w，填充为 (p_h, p_w)，步幅为 (s_h, s_w)，计算成本是多少？"),
       ("Count the output cells per channel with the output-size formula, then the comparisons or additions "
        "per window.",
        "先用输出尺寸公式数出每个通道的输出元素个数，再数每个窗口的比较或加法次数。"),
       CONV, {"mode": "Pooling", "pool_kh": 3, "pool_kw": 3, "pool_pad_h": 1, "pool_pad_w": 1,
              "pool_stride_h": 2, "pool_stride_w": 2}),
    ex("7.5.5", "6.5.4", "explore",
       ("Why should max pooling and average pooling behave differently?",
        "为什么最大汇聚层和平均汇聚层的工作方式不同？"),
       ("Page 1's shift demo moves an edge by one pixel: compare how the two kinds of pooling react.",
        "第 1 页的平移演示把边缘移动一个像素：比较两种汇聚的反应。"),
       CONV, {"mode": "Pooling", "pool_source": "shift demo (edge image)"}),
    ex("7.5.6", "6.5.5", "computed",
       ("Is a separate minimum pooling layer needed, or can another operation stand in for it?",
        "我们需要单独的最小汇聚层吗？能否用别的运算代替？"),
       ("Negate, take the maximum, negate again.",
        "取负、求最大值、再取负。"),
       CONV, {"mode": "Pooling", "pool_mode": "max"}),
    ex("7.5.7", "6.5.6", "explore",
       ("Softmax could serve as a pooling function. Why is it rarely used?",
        "softmax 也可以用来做汇聚。为什么它不流行？"),
       ("A softmax-weighted average lies between average and max pooling; think of its cost and of what it "
        "adds over those two.",
        "softmax 加权平均介于平均汇聚和最大汇聚之间；想想它的计算成本，以及它比这两者多带来了什么。"),
       CONV, {"mode": "Pooling", "pool_mode": "avg"}),
)

_TRAIN_TODO = ("Press \"Use for training\", then train it on the Train page beside the book's LeNet; the "
               "curves overlay.",
               "按“用于训练”按钮，然后在训练页面与书中的 LeNet 一起训练；曲线会叠加显示。")

S76 = (
    ex("7.6.1", "6.6.1", "experiment",
       ("Modernise LeNet: replace average pooling with max pooling, and the sigmoid activations with ReLU. "
        "Train and compare.",
        "改进 LeNet：把平均汇聚层换成最大汇聚层，把 sigmoid 激活函数换成 ReLU，训练并比较。"),
       ("Change only what the exercise asks: the link prepares the book's LeNet and then LeNet with ReLU and max "
        "pooling (the book's padding and channels), both with the book's recipe. Start trains one after the "
        "other and overlays their curves.",
        "只改动练习要求的两处：该链接准备好书中的 LeNet，以及随后的 LeNet（ReLU + 最大汇聚，填充和通道数与书中相同），"
        "两者都用书中的训练设置。按“开始”会先后训练两个网络，并把曲线叠加显示。"),
       TRAIN, {"net": "lenet", "then": "lenet_relu", "optimizer": "sgd", "lr": "0.9", "batch": "256", "epochs": 10,
               "momentum": "0.0",
               "init": "xavier", "scaling": "unit", "schedule": "constant"}),
    ex("7.6.2", "6.6.2", "experiment",
       ("Make a larger LeNet-style network to gain accuracy: change the window size, the channels, the "
        "number of convolutional and dense layers, the learning rate, initialisation and epochs.",
        "构建一个基于 LeNet 的更大网络以提高准确率：调整卷积窗口大小、输出通道数、卷积层和全连接层的数量、"
        "学习率、初始化和轮数。"),
       ("Start from Modern LeNet in the builder, change one thing at a time and keep each run in the "
        "Train page's overlay.",
        "在构建器中从现代 LeNet 出发，每次只改一处，在训练页面保留每次的曲线以便对比。"),
       BUILDER, {"preset": "lenet_modern"}, _TRAIN_TODO),
    ex("7.6.3", "6.6.3", "experiment",
       ("Train the improved network on the original MNIST digits.",
        "在原始的 MNIST 数据集上训练改进后的网络。"),
       ("Digits are easier than clothes: expect a higher accuracy sooner.",
        "数字比服装容易区分：预计准确率更高、上升更快。"),
       TRAIN, {"net": "lenet_modern"},
       todo=("The link opens the Train page on MNIST: train Modern LeNet (MNIST's files must be present).",
             "该链接在 MNIST 上打开训练页面：训练现代 LeNet（需要已安装 MNIST 的文件）。"),
       dataset="mnist"),
    ex("7.6.4", "6.6.4", "experiment",
       ("Show LeNet's first- and second-layer activations for different inputs, such as pullovers and coats.",
        "显示不同输入（例如套衫和外套）时 LeNet 第一层和第二层的激活值。"),
       ("Look at the class means and their difference: which channels separate the two classes?",
        "看两类的平均激活值及其差：哪些通道能区分这两类？"),
       ACTIVATIONS, {"model": "lenet", "classes": ["Pullover", "Coat"], "layer": "conv2"},
       todo=("The book's LeNet on pullovers and coats at its second layer; switch to the first layer too.",
             "书中的 LeNet，套衫与外套，第二层；也切换到第一层看看。"),
       also=(INSIDE, {"model": "lenet", "class": "pullover", "layer": "conv2", "channel": 0, "row": 5, "col": 5},
             ("One pullover through the same LeNet: a second-layer unit computed from the first layer's six maps; "
              "click any map to follow another activation.",
              "一件套衫经过同一个 LeNet：第二层的一个单元如何由第一层的六个特征映射算出；点击任一特征映射，"
              "查看另一个激活值。"))),
    ex("7.6.5", None, "experiment",
       ("Feed the trained network images unlike its training data (random noise, a drawing, a photo): what "
        "happens to its activations?",
        "给训练好的网络输入与训练数据截然不同的图像（随机噪声、手绘、照片）：激活值会怎样？"),
       ("Compare the maps with a real garment's and look at how confident the predicted probabilities are.",
        "与真实服装图像的特征映射比较，并看看预测概率有多“自信”。"),
       INSIDE, {"input": "drawing"},
       todo=("Draw something unlike a garment (or upload a photo) and follow it through every layer to the "
             "probabilities; then switch the input to a test image and compare.",
             "画一幅不像服装的图（或上传一张照片），跟着它经过每一层直到预测概率；再把输入换成测试图像比较。")),
)

CH7 = S72 + S73 + S74 + S75 + S76
