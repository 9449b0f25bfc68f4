"""The practice and live-coding editions, made from the lessons' ``# @save`` cells.

- ``make practice`` writes ``build/practice/``: the student edition (no solutions, no speaker
  notes, no ``test`` cells) in which every ``# @save`` cell is emptied down to signatures,
  docstrings and ``...`` bodies (``practice.blank``), and the check cell after it starts with
  ``%%practice <module> <names>`` (``practice.PracticeMagics``): one sentence per attempt, and
  the library's version for the rest of the lesson until the student's is right.
- ``make live`` writes ``build/live/`` for the instructor: the same blanks and checks, the
  speaker notes kept, and after each blank a notes cell with what to type and the mistake
  students usually make (``MISTAKES``), for presenting with RISE and typing on stage.

Each edition's notebook metadata says which lesson and edition it is (``course``), which is how
``course_lib.grade`` recognises a submission.
"""

import ast
import importlib
import inspect
from pathlib import Path

import nbformat

from course_lib import build, practice

EDITIONS = ("student", "practice", "live")
MISTAKES: dict[str, str] = {
    "course_lib.cnn.conv2d_naive": "flipping the filter (a true convolution) when deep "
    "learning's layer is a cross-correlation, or an output one pixel too small.",
    "course_lib.cnn.conv_output_size": "forgetting the padding on both sides (2P), or rounding "
    "up instead of down.",
    "course_lib.cnn.conv_windows": "padding after taking the windows, or striding over the "
    "channels as well as the rows and columns.",
    "course_lib.cnn.conv2d_forward": "summing over the wrong axes of the tensor product, so the "
    "channels of the input and of the filters do not meet.",
    "course_lib.cnn.col2im": "writing each window's values back instead of adding them, which "
    "loses every overlap.",
    "course_lib.cnn.conv2d_backward": "forgetting to sum dE/db over the batch and the positions, "
    "or giving dE/dx the unpadded shape before the padding is cut away.",
    "course_lib.cnn.max_pool2d_forward": "pooling across the channels, or overlapping windows "
    "when the stride should equal the size.",
    "course_lib.cnn.max_pool2d_backward": "sending the gradient to every position of a window, "
    "or to every tied maximum instead of the first.",
    "course_lib.cnn.receptive_field": "adding kernel sizes without multiplying by the strides "
    "of the layers below.",
    "course_lib.cnn.mnist_cnn": "a Linear layer sized for 28x28 maps after two poolings "
    "have made them 7x7.",
    "course_lib.cnn.train_mnist_cnn": "seeding torch after building the model, so the "
    "weights start elsewhere and the live epoch misses the shipped curve; or watching the test "
    "split while training instead of the validation split.",
    "course_lib.cnn.top_k_error": "counting the examples whose label IS in the top k, which "
    "is the top-k accuracy, not the error.",
    "course_lib.cnn_architectures.BasicBlock": "adding the shortcut after the final ReLU, or "
    "forgetting the 1x1 projection when the shape changes.",
    "course_lib.style.gram_matrix": "dividing by the number of channels instead of positions, "
    "or F^T F, which is (hw, hw).",
    "course_lib.style.content_loss": "comparing Gram matrices here: content keeps positions.",
    "course_lib.style.style_loss": "comparing the maps themselves instead of their Gram matrices.",
    "course_lib.style.total_variation": "squaring the mean of the steps instead of taking the "
    "mean of the squared steps.",
    "course_lib.style.RandomFeatures": "leaving the filters trainable, so the optimiser "
    "changes the network instead of the image.",
    "course_lib.style.StyleTransferLoss": "recomputing the targets' maps at every call instead "
    "of once, in __init__.",
    "course_lib.style.Painting": "keeping the unclipped optimisation variable instead of the "
    "final image in [0, 1].",
    "course_lib.style.optimiser_for": "handing L-BFGS the image instead of u, so the box "
    "x = sigmoid(u) is lost.",
    "course_lib.style.paint": "calling the closure outside optimiser.step for Adam and inside "
    "for L-BFGS inconsistently, so evaluations are counted twice.",
    "course_lib.training.Optimiser": "rebinding theta = theta - step inside the loop, which "
    "changes a local name and leaves the parameter as it was: subtract in place.",
    "course_lib.training.SGD": "adding the gradient instead of subtracting it.",
    "course_lib.training.Momentum": "v <- mu v + lr g followed by theta <- theta - lr v, which "
    "multiplies by the learning rate twice.",
    "course_lib.training.RMSprop": "dividing by s instead of sqrt(s), or putting eps under the "
    "square root and then comparing with torch.",
    "course_lib.training.Adam": "leaving out the bias correction, or correcting with the step "
    "count before it is increased (1 - beta^0 = 0).",
    "course_lib.training.trajectory": "appending theta itself rather than a copy, so every "
    "point is the last one.",
    "course_lib.training.evaluate": "forgetting model.eval() and torch.no_grad(): dropout stays "
    "on and the graph is kept.",
    "course_lib.training.train_epoch": "calling optimiser.step() before loss.backward(), or "
    "never zeroing the gradients, so they add up over the batches.",
    "course_lib.training.fit": "scoring the validation data once after the last epoch instead "
    "of after every epoch, or leaving the model in train mode at the end.",
    "course_lib.training.init_std": "using the variance 2 / fan_in where the standard deviation "
    "sqrt(2 / fan_in) is asked for.",
    "course_lib.training.relu_mlp": "a ReLU after the last layer too, which clips the logits.",
    "course_lib.training.early_stopping_epoch": "stopping at the first epoch whose loss rises "
    "instead of after `patience` epochs without a new best.",
    "course_lib.training.dropout": "dropping with probability keep instead of 1 - keep, or "
    "forgetting to divide by keep.",
    "course_lib.training.grid_search_points": "spacing the values linearly, which crowds the "
    "search into the top decade.",
    "course_lib.training.random_search_points": "drawing uniformly between low and high instead "
    "of uniformly in log10.",
    "course_lib.training.kfold_indices": "folds that overlap, or a validation fold left inside "
    "its own training part.",
    "course_lib.tensors.naive_relu": "writing into x itself instead of a copy, so the "
    "caller's array changes too.",
    "course_lib.tensors.naive_add_row": "indexing b with the row i instead of the column j.",
    "course_lib.tensors.align_right": "pairing the axes from the left, as one reads them.",
    "course_lib.tensors.broadcast_shape": "allowing two different sizes when neither is 1, or "
    "keeping the 1 instead of the other size.",
    "course_lib.tensors.dot_shape": "keeping the summed axes, or summing the first axis of x.",
    "course_lib.tensors.channels_first": "using reshape instead of transpose: the shape comes "
    "out right and the pixels are scrambled.",
    "course_lib.tensors.channels_last": "inverting the permutation wrongly: (0, 3, 1, 2) again "
    "instead of (0, 2, 3, 1).",
    "course_lib.tensors.sigmoid": "writing exp(z) instead of exp(-z), which flips the curve.",
    "course_lib.tensors.neuron_loss": "summing the squared errors instead of taking their mean.",
    "course_lib.tensors.neuron_loss_grad": "forgetting the sigmoid's slope a (1 - a) or the 1/n "
    "of the mean.",
    "course_lib.tensors.numerical_gradient": "the one-sided difference (f(x + eps) - f(x)) / eps, "
    "or changing the input in place without putting it back.",
    "course_lib.perceptron.step": "returning booleans or firing at z = 0 (the rule needs z > 0).",
    "course_lib.perceptron.predict": "computing w @ x for a batch: the inputs are rows, x @ w.",
    "course_lib.perceptron.update": "updating on every example, or using the step output in "
    "place of t - y.",
    "course_lib.perceptron.Run": "counting the last, clean epoch among the epochs that made an "
    "update.",
    "course_lib.perceptron.train": "stopping as soon as one example is right instead of after a "
    "whole epoch without a mistake.",
    "course_lib.perceptron.augment": "appending a column of zeros, or a row instead of a column.",
    "course_lib.perceptron.mistake_bound": "taking R from the raw inputs instead of the "
    "augmented ones, or forgetting to square R / gamma.",
    "course_lib.perceptron.hidden_terms": "multiplying by alpha before the sigmoid.",
    "course_lib.perceptron.one_hidden_layer": "summing over the inputs (axis 0) instead of "
    "over the units (axis 1), or leaving out c.",
    "course_lib.perceptron.fit_heights": "fitting without the column of ones, so c is lost.",
    "course_lib.mlp.layer": "applying the activation before adding the bias.",
    "course_lib.mlp.network": "feeding every layer the original x instead of the previous "
    "layer's output.",
    "course_lib.mlp.forward": "returning only p: backward needs the hidden outputs h too.",
    "course_lib.mlp.bce_loss": "a plus sign in front of the mean: the loss must be positive.",
    "course_lib.mlp.predict": "thresholding at 0 instead of 0.5 (p is a probability).",
    "course_lib.mlp.backward": "forgetting the sigmoid's slope h (1 - h) for the hidden layer, "
    "or the 1/n of the mean.",
    "course_lib.mlp.init_params": "drawing from the global numpy generator instead of one "
    "seeded with seed, so two runs differ.",
    "course_lib.mlp.train": "recording the loss after the step instead of before it, so the "
    "first loss is missing.",
    "course_lib.mlp.relu": "np.max(z, 0), which reduces over an axis, instead of np.maximum.",
    "course_lib.mlp.relu_grad": "returning booleans instead of floats.",
    "course_lib.mlp.sigmoid_grad": "s (1 - s) with s = z instead of s = sigmoid(z).",
    "course_lib.mlp.tanh_grad": "1 - tanh(z) instead of 1 - tanh(z)^2.",
    "course_lib.backprop.softmax": "summing over the batch axis instead of the last one, or "
    "leaving out the max subtraction and overflowing on large scores.",
    "course_lib.backprop.forward_333": "taking the log of the scores instead of the softmax "
    "outputs in the loss, or multiplying in the order W @ x (the slides' rows are inputs).",
    "course_lib.backprop.backward_333": "sending each output's error back through its own "
    "softmax input only: the softmax couples them, and p - y already sums every path.",
    "course_lib.backprop.prop_forward": "keeping only the activations and forgetting the "
    "pre-activations Z_j, which the backward pass needs for g'(Z_j).",
    "course_lib.backprop.prop_backward": "using W_j instead of its transpose to send the error "
    "back, or updating dh before computing dW_j with the old one.",
    "course_lib.transfer.AutoEncoder": "ending the decoder without the sigmoid, so that the "
    "reconstruction leaves [0, 1], or not reshaping its 784 outputs back to (n, 1, 28, 28).",
    "course_lib.transfer.corrupt": "adding the noise to the target too, so that the network "
    "learns to copy the noise instead of removing it.",
    "course_lib.transfer.fit_early_stopping": "keeping the last epoch's weights instead of "
    "putting the best ones back, or making a new optimiser every epoch, which resets Adam.",
    "course_lib.transfer.greedy_pretrain": "training every layer on the raw pixels instead of on "
    "the output of the frozen layers below it.",
    "course_lib.transfer.stacked_classifier": "putting the pretrained layers themselves into the "
    "classifier instead of copies, so that training it changes them everywhere.",
    "course_lib.transfer.transfer_model": "freezing the source network itself instead of a copy, "
    "so that every later use of the source finds it frozen.",
    "course_lib.transfer.fine_tuning_groups": "leaving requires_grad False on the base, so that "
    "its small learning rate never moves a weight.",
    "course_lib.rnn.rnn_step": "applying tanh to W_hh h_prev alone and adding W_xh x after it, "
    "or W_hh.T where W_hh acts on h_prev.",
    "course_lib.rnn.rnn_forward": "appending h before updating it, so hs[t] is h_{t-1}, or "
    "starting from the previous sequence's state instead of h_0 = 0.",
    "course_lib.rnn.step_losses": "taking the softmax over the steps (axis 0) instead of the "
    "classes, or -log of the score instead of the probability.",
    "course_lib.rnn.rnn_step_backward": "multiplying by tanh's slope at the wrong point: "
    "1 - h^2 uses the step's output h, not h_prev, and it comes before W_hh.T.",
    "course_lib.rnn.rnn_backward": "forgetting dh_next, the gradient arriving from step t + 1, "
    "which turns BPTT into T separate one-step networks.",
    "course_lib.rnn.rnn_loss_and_grads": "averaging the step losses while the gradient is that "
    "of their sum.",
    "course_lib.rnn.train_rnn": "clipping each array separately instead of the norm of the "
    "whole gradient, or recording the losses after the step.",
    "course_lib.rnn.LSTMTrace": "keeping only h: the backward pass needs every gate and c too.",
    "course_lib.rnn.lstm_forward": "splitting the pre-activations a in torch's gate order "
    "(i, f, g, o) instead of the seed's (i, f, o, g), or h = o * c without the tanh.",
    "course_lib.rnn.lstm_backward": "leaving out the cell's own path, dc_{t+1} * f_{t+1}, "
    "the very path that lets the LSTM remember.",
    "course_lib.rnn.gru_step": "z * n + (1 - z) * h, which swaps keeping and writing, or "
    "resetting h before W_h (Cho et al.) when torch resets after it.",
    "course_lib.rnn.gru_forward": "appending h before the step, so hs[t] is h_{t-1}.",
    "course_lib.rnn.stacked_lstm_forward": "feeding every layer the input xs instead of the "
    "hidden states of the layer below.",
    "course_lib.charlm.unigram_loss": "counting the held-out text (which peeks at the answer), "
    "or forgetting the +1 so that an unseen character costs infinity.",
    "course_lib.charlm.CharLSTM": "forgetting batch_first=True, so the LSTM reads the batch "
    "axis as time.",
    "course_lib.charlm.next_char_loss": "passing scores (n, T, V) to cross_entropy, which wants "
    "the classes on axis 1: (n, V, T).",
    "course_lib.charlm.sample": "multiplying the scores by the temperature instead of dividing, "
    "or feeding the whole text back at every step instead of the last character and the state.",
    "course_lib.interpret.activations": "appending the same tensor object at every layer (or "
    "forgetting .copy()), or feeding every layer the original x instead of the last output.",
    "course_lib.interpret.preferred_inputs": "stepping without normalising the gradient, so the "
    "step is tiny for one layer and huge for another, or forgetting to clip to [0, 1].",
    "course_lib.interpret.maps_and_gradients": "calling requires_grad_ on the input instead of "
    "on the maps, or differentiating the sum of all logits instead of the target's.",
    "course_lib.interpret.grad_cam": "averaging the maps instead of the gradients for alpha, or "
    "taking the maps before the layer's ReLU.",
    "course_lib.interpret.randomised_copy": "re-drawing the weights of the trained model "
    "itself instead of a deep copy, so the trained network is lost.",
    "course_lib.interpret.dream_steps": "descending (subtracting the gradient), which makes the "
    "maps quieter instead of louder.",
    "course_lib.interpret.resize": "passing a scale factor where a target shape is asked for.",
    "course_lib.interpret.deep_dream": "going from the largest scale to the smallest, or not "
    "adding back the detail that shrinking lost.",
    "course_lib.interpret.fgsm": "stepping against the gradient (x - eps sign g), which makes "
    "the digit easier to read, or forgetting to clip to [0, 1].",
    "course_lib.interpret.pgd": "projecting onto the box round the previous step instead of "
    "round the original x, so the change grows past epsilon.",
    "course_lib.interpret.smallest_fooling_epsilon": "moving the wrong end of the interval: "
    "when the attack fools, the upper end comes down, not the lower one up.",
    "course_lib.interpret.adversarial_batch": "returning only the attacked copy, or the labels "
    "once for 2n images.",
    "course_lib.interpret.adversarially_trained": "training the original model in place instead "
    "of a copy, so the standard network is lost for the comparison.",
    "course_lib.localisation.paste_digits": "adding the digit to the dust instead of taking the "
    "maximum, so pixels above 1 appear, or corners that let the digit run off the canvas.",
    "course_lib.localisation.ink_boxes": "forgetting to add the corner, which gives the box on "
    "the 28x28 digit instead of on the canvas.",
    "course_lib.localisation.conv_block": "leaving out padding=1, so that every convolution "
    "shrinks its maps by two pixels and Grad-CAM's last maps are 8x8 instead of 12x12.",
    "course_lib.localisation.canvas_cnn": "flattening the maps instead of taking their global "
    "max, which ties each class to a place on the canvas.",
    "course_lib.localisation.canvas_batch": "pasting once before training instead of in the "
    "hook, so every epoch sees the same canvases.",
    "course_lib.localisation.train_canvas_cnn": "training on the centred digits and testing on "
    "the canvases.",
    "course_lib.localisation.upsample": "nearest-neighbour upsampling, which puts every peak at "
    "the corner of a block.",
    "course_lib.localisation.peak_in_box": "taking row = index % size and col = index // size, "
    "the transpose.",
    "course_lib.gan.optimal_discriminator": "p_g / (p_data + p_g), which is the belief that "
    "x is fake, not real.",
    "course_lib.gan.generator_losses": "the slope of log(1 - D) as 1 / (1 - D), the derivative "
    "with respect to D instead of the logit (-D).",
    "course_lib.gan.discriminator_loss": "softplus(real_logits) for the real samples, which "
    "rewards calling them fake, or taking the mean over the copies axis as well.",
    "course_lib.gan.generator_loss": "softplus(fake_logits), the saturating loss with its sign "
    "flipped: it pushes D(G(z)) down.",
    "course_lib.gan.r1_penalty": "taking the gradient without create_graph=True, so the penalty "
    "sends no gradient to D's weights, or forgetting gamma / 2.",
    "course_lib.gan.gan_step": "not detaching the fakes in D's step, so D's update also pushes G "
    "gradients, or judging G's fakes with D from before its update.",
    "course_lib.gan.update_average": "lerping with weight decay instead of 1 - decay, so the "
    "average jumps to the newest weights.",
    "course_lib.dcgan.Generator": "a Linear layer that does not match the Unflatten shape, or a "
    "sigmoid output when the real images are scaled to [-1, 1].",
    "course_lib.dcgan.random_shift": "one offset for the whole batch instead of one per image, "
    "or padding with 0, which is mid-grey in [-1, 1], instead of the background -1.",
    "course_lib.dcgan.Discriminator": "a sigmoid after the last layer: the losses expect "
    "logits, and softplus of a probability is wrong; or shifting the images in eval mode too.",
}
"""``module.name`` -> the mistake students usually make when they write it (live edition)."""


def saved_names(source: str) -> list[str]:
    """Names of the functions and classes a ``# @save`` cell defines, in order."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    ]


def save_target(cell: nbformat.NotebookNode) -> str | None:
    """The module a code cell is saved to (``course_lib.x``), or None for other cells."""
    if cell.cell_type != "code" or not cell.source.strip():
        return None
    match = build.SAVE_MARK.match(cell.source.splitlines()[0])
    return match[1] if match else None


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.setdefault("tags", [])


def _notes(module_name: str, names: list[str]) -> nbformat.NotebookNode:
    module = importlib.import_module(module_name)
    parts = ["**Type on stage** (the reference in `" + module_name + "`):", "", "```python"]
    parts += [inspect.getsource(getattr(module, name)).rstrip() + "\n" for name in names]
    parts += ["```", ""]
    for name in names:
        parts.append(f"- **`{name}`, the usual mistake:** {MISTAKES[f'{module_name}.{name}']}")
    cell = nbformat.v4.new_markdown_cell("\n".join(parts))
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


def make_edition(path: Path, kind: str) -> nbformat.NotebookNode:
    """The ``kind`` edition ("student", "practice" or "live") of the lesson at ``path``."""
    if kind not in EDITIONS:
        raise ValueError(f"kind must be one of {EDITIONS}, got {kind!r}")
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & {"solution", build.TEST_TAG}:
            continue
        if kind != "live" and cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            continue
        if tags & {"exercise", "check"} and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if kind != "student":
        cells = _blanks_and_checks(cells, live=kind == "live")
    nb.cells = cells
    nb.metadata["course"] = {"lesson": path.stem, "edition": kind}
    return nb


def _blanks_and_checks(cells: list, *, live: bool) -> list:
    """Empty every ``# @save`` cell; the first other code cell after a run of them becomes
    the ``%%practice`` check of every name the run defined."""
    out: list = []
    module_name, pending = None, []
    loaded = False
    for cell in cells:
        target = save_target(cell)
        if cell.cell_type == "code" and not loaded and "repro.setup(" in cell.source:
            cell.source = cell.source.rstrip() + "\n%load_ext course_lib.practice"
            loaded = True
        if target:
            if pending and target != module_name:
                raise ValueError(f"a run of @save cells writes to {module_name} and {target}")
            names = saved_names(cell.source)
            cell.source = practice.blank(cell.source)
            cell.outputs, cell.execution_count = [], None
            _tags(cell).append("practice-blank")
            out.append(cell)
            if live:
                out.append(_notes(target, names))
            module_name, pending = target, [*pending, *names]
            continue
        if pending and cell.cell_type == "code":
            cell.source = f"%%practice {module_name} {' '.join(pending)}\n{cell.source}"
            cell.outputs, cell.execution_count = [], None
            _tags(cell).append("practice-check")
            cell.metadata["practice"] = {"module": module_name, "names": pending}
            pending = []
        out.append(cell)
    return out


def write_editions(paths: list[Path], kind: str, out_dir: Path) -> list[Path]:
    """Write the ``kind`` edition of every notebook in ``paths`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out_dir / path.name
        nbformat.write(make_edition(path, kind), target)
        written.append(target)
    return written
