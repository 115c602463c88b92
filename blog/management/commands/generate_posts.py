"""Create many synthetic published posts, for load tests and benchmarks."""

import random
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from blog import demo, search
from blog.models import Post


def _lines(*lines):
    return "\n".join(lines)


INTRODUCTIONS = [
    _lines(
        r"这篇笔记整理一个经常用到的小结论。设 $f(x)$ 在区间 $[a, b]$ 上连续可导，"
        r"我们关心积分 $\int_a^b f(x)\,dx$ 与端点值 $f(a)$、$f(b)$ 之间的关系。"
        r"下面先给出推导，再用一段代码做数值验证。"
    ),
    _lines(
        r"在概率论里，很多看似复杂的计算都可以归结为求期望 $\mathbb{E}[X]$ 与方差 "
        r"$\operatorname{Var}(X) = \mathbb{E}[X^2] - \mathbb{E}[X]^2$。"
        r"本文从一个具体的例子出发，看看这些工具如何配合使用。"
    ),
    _lines(
        r"矩阵的特征值 $\lambda_i$ 描述了线性变换在各个方向上的伸缩。对于实对称矩阵 $A$，"
        r"特征值都是实数，对应的特征向量可以取成两两正交。这一性质在优化和物理中随处可见。"
    ),
    _lines(
        r"物理学中的守恒律往往对应着某种对称性。以一维谐振子为例，能量 "
        r"$E = \frac{1}{2}m\dot{x}^2 + \frac{1}{2}kx^2$ 在运动过程中保持不变，"
        r"这既可以从运动方程直接验证，也可以从时间平移不变性得到。"
    ),
    _lines(
        r"训练模型时最小化的损失 $\mathcal{L}(\theta)$ 通常是大量样本损失的平均。"
        r"随机梯度下降只用一小批样本估计梯度，这个估计是无偏的，但带有方差；"
        r"理解这个方差，是理解学习率与批大小之间关系的关键。"
    ),
]

SECTIONS = [
    _lines(
        r"## 泰勒展开",
        r"",
        r"函数在点 $x_0$ 附近可以展开为",
        r"\begin{equation}f(x) = \sum_{n=0}^{N} \frac{f^{(n)}(x_0)}{n!}(x - x_0)^n + R_N(x)"
        r"\label{eq:taylor}\end{equation}",
        r"其中余项 $R_N(x) = \frac{f^{(N+1)}(\xi)}{(N+1)!}(x - x_0)^{N+1}$，"
        r"$\xi$ 介于 $x_0$ 与 $x$ 之间。截断到二阶，就得到了牛顿法和许多近似分析的出发点。"
        r"$|x - x_0|$ 较小时，$\eqref{eq:taylor}$ 的截断误差按 $|x - x_0|^{N+1}$ 的速度减小。",
    ),
    _lines(
        r"## 变分与极值",
        r"",
        r"对泛函 $J[y] = \int_a^b L(x, y, y')\,dx$，极值曲线满足欧拉-拉格朗日方程",
        r"\begin{equation}\frac{\partial L}{\partial y}"
        r" - \frac{d}{dx}\frac{\partial L}{\partial y'} = 0\label{eq:euler-lagrange}\end{equation}",
        r"当 $L$ 不显含 $x$ 时，$L - y'\,\partial L/\partial y'$ 沿极值曲线保持不变。"
        r"力学中取 $L = T - V$，这个守恒量正是能量的相反数 $-(T + V)$。"
        r"方程 $\eqref{eq:euler-lagrange}$ 也是分析力学的起点。",
    ),
    _lines(
        r"## 矩阵分解",
        r"",
        r"对称正定矩阵 $A$ 可以分解为 $A = LL^{\top}$，其中 $L$ 是下三角矩阵，"
        r"这就是 Cholesky 分解。逐列计算时，",
        r"",
        r"$$",
        r"L_{jj} = \sqrt{a_{jj} - \sum_{k<j} L_{jk}^2}, \qquad "
        r"L_{ij} = \frac{1}{L_{jj}}\left(a_{ij} - \sum_{k<j} L_{ik}L_{jk}\right)\quad (i > j)",
        r"$$",
        r"",
        r"它的计算量约为 LU 分解的一半，而且不需要选主元也是数值稳定的。"
        r"求解 $A\boldsymbol{x} = \boldsymbol{b}$ 时，只需先后解两个三角方程组。",
    ),
    _lines(
        r"## 中心极限定理",
        r"",
        r"设 $X_1, X_2, \dots$ 独立同分布，均值为 $\mu$、方差为 $\sigma^2$，"
        r"样本均值为 $\bar{X}_n = \frac{1}{n}\sum_{i=1}^n X_i$。中心极限定理指出",
        r"",
        r"\[",
        r"\sqrt{n}\,\frac{\bar{X}_n - \mu}{\sigma} \xrightarrow{d} \mathcal{N}(0, 1)",
        r"\]",
        r"",
        r"所以样本均值的误差大约是 $\sigma/\sqrt{n}$：样本数增加到 100 倍，误差才缩小到十分之一。"
        r"这也是蒙特卡罗方法收敛缓慢的根本原因。",
    ),
    _lines(
        r"## 谐振子",
        r"",
        r"运动方程 $m\ddot{x} = -kx$ 的通解是",
        r"\begin{equation}x(t) = A\cos(\omega t + \varphi), \qquad \omega = \sqrt{k/m}"
        r"\label{eq:oscillator}\end{equation}",
        r"把 $\eqref{eq:oscillator}$ 代入能量表达式，动能与势能此消彼长，总和恒为 "
        r"$\frac{1}{2}kA^2$。在量子力学中，谐振子的能级是 "
        r"$E_n = \left(n + \frac{1}{2}\right)\hbar\omega$，最低能量不为零，这就是零点能。",
    ),
    _lines(
        r"## 梯度下降的收敛速度",
        r"",
        r"设 $f$ 是 $L$-光滑的凸函数，取学习率 $\eta = 1/L$，梯度下降的迭代满足下面第一式；"
        r"若 $f$ 还是 $\mu$-强凸的，则有第二式：",
        r"",
        r"\begin{align}",
        r"f(x_k) - f(x^*) &\le \frac{L\,\|x_0 - x^*\|^2}{2k}, \\",
        r"f(x_k) - f(x^*) &\le \left(1 - \frac{\mu}{L}\right)^k \left(f(x_0) - f(x^*)\right).",
        r"\end{align}",
        r"",
        r"前者是次线性收敛，后者是线性收敛，收敛的快慢由条件数 $L/\mu$ 决定。",
    ),
    _lines(
        r"## 信息熵",
        r"",
        r"离散分布 $p = (p_1, \dots, p_n)$ 的熵定义为 $H(p) = -\sum_i p_i \log p_i$，"
        r"它在均匀分布时取到最大值 $\log n$。两个分布之间的 KL 散度",
        r"\begin{equation}D_{\mathrm{KL}}(p \,\|\, q) = \sum_i p_i \log\frac{p_i}{q_i} \ge 0"
        r"\label{eq:kl}\end{equation}",
        r"等号当且仅当 $p = q$ 时成立，这可以由对数函数的凹性和詹森不等式得到。"
        r"交叉熵等于 $H(p) + D_{\mathrm{KL}}(p \,\|\, q)$，"
        r"所以最小化交叉熵就是最小化 $\eqref{eq:kl}$。",
    ),
    _lines(
        r"## 傅里叶级数",
        r"",
        r"周期为 $2\pi$ 的平方可积函数可以展开为 $f(x) = \sum_{n=-\infty}^{\infty} c_n e^{inx}$，"
        r"系数为 $c_n = \frac{1}{2\pi}\int_{-\pi}^{\pi} f(x) e^{-inx}\,dx$。"
        r"帕塞瓦尔恒等式说的是能量守恒：",
        r"",
        r"$$",
        r"\frac{1}{2\pi}\int_{-\pi}^{\pi} |f(x)|^2\,dx = \sum_{n=-\infty}^{\infty} |c_n|^2",
        r"$$",
        r"",
        r"取 $f(x) = x$，算出 $|c_n|^2 = 1/n^2$（$n \ne 0$），"
        r"代入即得 $\sum_{n \ge 1} 1/n^2 = \pi^2/6$。",
    ),
]

CODE_SECTIONS = [
    _lines(
        "## 数值验证",
        "",
        "用复化辛普森公式计算积分，误差随步长的四次方减小：",
        "",
        "```python",
        "import math",
        "",
        "",
        "def simpson(f, a, b, n=100):",
        '    """Composite Simpson rule with n (even) subintervals."""',
        "    h = (b - a) / n",
        "    total = f(a) + f(b)",
        "    for i in range(1, n):",
        "        total += (4 if i % 2 else 2) * f(a + i * h)",
        "    return total * h / 3",
        "",
        "",
        "print(simpson(math.sin, 0, math.pi))  # close to 2",
        "```",
    ),
    _lines(
        "## 数值验证",
        "",
        "用均匀分布做个实验，样本均值的标准差应当接近 $0.2887/\\sqrt{n}$：",
        "",
        "```python",
        "import random",
        "import statistics",
        "",
        "",
        "def sample_means(n, trials=2000, seed=0):",
        '    """Means of n uniform samples, repeated `trials` times."""',
        "    rng = random.Random(seed)",
        "    return [statistics.fmean(rng.random() for _ in range(n)) for _ in range(trials)]",
        "",
        "",
        "for n in (10, 100, 1000):",
        "    print(n, statistics.stdev(sample_means(n)))",
        "```",
    ),
    _lines(
        "## 数值验证",
        "",
        "幂迭代求绝对值最大的特征值，收敛速度取决于前两个特征值之比：",
        "",
        "```python",
        "import numpy as np",
        "",
        "",
        "def power_iteration(A, steps=100, seed=0):",
        '    """Largest-magnitude eigenvalue of A and its eigenvector."""',
        "    x = np.random.default_rng(seed).normal(size=A.shape[0])",
        "    for _ in range(steps):",
        "        x = A @ x",
        "        x /= np.linalg.norm(x)",
        "    return x @ A @ x, x",
        "```",
    ),
    _lines(
        "## 数值验证",
        "",
        "蛙跳法是辛积分方法，长时间积分时能量误差保持有界，不会像显式欧拉法那样持续增长：",
        "",
        "```python",
        "def leapfrog(x, v, omega, dt, steps):",
        '    """Integrate x\'\' = -omega**2 * x with the leapfrog scheme."""',
        "    for _ in range(steps):",
        "        v -= 0.5 * dt * omega**2 * x",
        "        x += dt * v",
        "        v -= 0.5 * dt * omega**2 * x",
        "    return x, v",
        "```",
    ),
]

CLOSINGS = [
    "以上推导只用到了最基本的工具。把它们放在一起看，常能发现不同领域之间意想不到的联系。",
    "这里省略了一些严格性的细节，例如极限与积分交换次序的条件，感兴趣的读者可以查阅标准的分析教材。",
    "如果读者有更简洁的推导，欢迎在评论区分享。下一篇会接着讨论这个问题在高维情形下的推广。",
    "小结一下：先找到问题中的不变量，再用它化简计算，这个思路在数学、物理和机器学习中反复出现。",
]

TITLE_PREFIXES = ["浅谈", "再谈", "重温", "细说", "漫谈", "从零推导", "图解", "笔记："]
TITLE_TOPICS = [
    "泰勒展开",
    "傅里叶级数",
    "变分法",
    "谐振子",
    "中心极限定理",
    "信息熵",
    "梯度下降",
    "矩阵分解",
    "特征值",
    "随机游走",
    "最小二乘",
    "拉格朗日乘子",
    "马尔可夫链",
    "卷积",
    "正态分布",
    "动量守恒",
]
TITLE_SUFFIXES = [
    "",
    "的几何意义",
    "的一个推广",
    "的数值实现",
    "与误差分析",
    "中的小技巧",
    "的直观理解",
    "的几种证明",
]

TEMPLATE_COUNT = 8
TARGET_BODY_BYTES = 3000
DATE_SPAN = timedelta(days=3652)


@dataclass(frozen=True)
class RenderedBody:
    """A Markdown body rendered once, shared by every post generated from it."""

    body: str
    body_html: str
    excerpt_html: str
    search_body: str


def build_body(rng):
    """Put together a body of about TARGET_BODY_BYTES from the sections above."""
    code = rng.choice(CODE_SECTIONS)
    closing = rng.choice(CLOSINGS)
    parts = [rng.choice(INTRODUCTIONS), "<!--more-->"]
    size = sum(len(part.encode()) for part in [*parts, code, closing])
    for section in rng.sample(SECTIONS, len(SECTIONS)):
        if size >= TARGET_BODY_BYTES:
            break
        parts.append(section)
        size += len(section.encode())
    return "\n\n".join([*parts, code, closing]) + "\n"


def render_body(body):
    """Render a body once, the way Post.render() would."""
    post = Post(title="", body=body)
    post.render()
    return RenderedBody(body, post.body_html, post.excerpt_html, post.search_body)


def random_title(rng, number):
    """Make a title such as 浅谈傅里叶级数的几何意义（42）."""
    prefix = rng.choice(TITLE_PREFIXES)
    topic = rng.choice(TITLE_TOPICS)
    suffix = rng.choice(TITLE_SUFFIXES)
    return f"{prefix}{topic}{suffix}（{number}）"


def get_author():
    """Return the first superuser, or the demo author (created without a usable password)."""
    User = get_user_model()
    author = User.objects.filter(is_superuser=True).order_by("pk").first()
    if author is None:
        author, created = User.objects.get_or_create(
            username=demo.AUTHOR_USERNAME, defaults={"first_name": demo.AUTHOR_NAME}
        )
        if created:
            author.set_unusable_password()
            author.save(update_fields=["password"])
    return author


class Command(BaseCommand):
    help = "批量生成已发布的测试文章（每篇约 3 KB Markdown，含公式和代码块），用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="要生成的文章数")
        parser.add_argument("--seed", type=int, default=1, help="随机数种子，默认 1")
        parser.add_argument("--batch", type=int, default=500, help="每批写入的文章数，默认 500")

    def handle(self, *args, count, seed, batch, verbosity, **options):
        if count < 1 or batch < 1:
            raise CommandError("文章数和批大小都必须是正整数。")
        started = time.monotonic()
        rng = random.Random(seed)
        author = get_author()
        categories, tags = demo.ensure_taxonomy()
        categories, tags = list(categories.values()), list(tags.values())
        bodies = [render_body(build_body(rng)) for _ in range(TEMPLATE_COUNT)]
        first_number = Post.objects.count() + 1
        # Sorted so that ids grow with dates, as on a real blog.
        now = timezone.now()
        offsets = sorted(rng.uniform(60, DATE_SPAN.total_seconds()) for _ in range(count))
        dates = [now - timedelta(seconds=offset) for offset in reversed(offsets)]

        PostTag = Post.tags.through
        with tqdm(total=count, unit="篇", disable=verbosity == 0) as progress:
            for start in range(0, count, batch):
                posts, post_tags = [], []
                for index in range(start, min(start + batch, count)):
                    rendered = rng.choice(bodies)
                    title = random_title(rng, first_number + index)
                    posts.append(
                        Post(
                            title=title,
                            author=author,
                            category=rng.choice(categories),
                            status=Post.Status.PUBLISHED,
                            published_at=dates[index],
                            body=rendered.body,
                            body_html=rendered.body_html,
                            excerpt_html=rendered.excerpt_html,
                            search_title=search.index_text(title),
                            search_body=rendered.search_body,
                            views=rng.randint(100, 50000),
                        )
                    )
                    post_tags.append(rng.sample(tags, rng.randint(1, 3)))
                with transaction.atomic():
                    Post.objects.bulk_create(posts)
                    PostTag.objects.bulk_create(
                        PostTag(post_id=post.pk, tag_id=tag.pk)
                        for post, chosen in zip(posts, post_tags, strict=True)
                        for tag in chosen
                    )
                    Post.objects.filter(pk__in=[post.pk for post in posts]).refresh_search_vectors()
                progress.update(len(posts))

        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"已生成 {count} 篇文章，用时 {elapsed:.1f} 秒。"))
