"""Facts about arrays and labels that the data handlers decide (data_calls, loaders, generators)."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.label_literals import same_label_shape

HEAD = ("import numpy as np\nimport pandas as pd\nimport tensorflow as tf\nfrom tensorflow import keras\n"
        "model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\n")


def build(source: str):
    return build_script(cst.parse_module(source), "t.py")


def fit_labels(body: str):
    """The Data of the labels that reach the (single) fit() at the end of ``body``."""
    script = build(HEAD + body)
    labels = [e.data for e in script.data_events if e.kind == "fit" and e.role == "y"]
    assert len(labels) == 1, labels
    return labels[0]


def fit_inputs(body: str):
    script = build(HEAD + body)
    inputs = [e.data for e in script.data_events if e.kind == "fit" and e.role == "x"]
    assert len(inputs) == 1, inputs
    return inputs[0]


# ----------------------------------------------------------------------------------- labels
@pytest.mark.parametrize("expression, n_classes, n_samples", [
    ("np.random.randint(0, 5, 100)", 5, 100),
    ("np.random.randint(5, size=100)", 5, 100),
    ("np.random.randint(0, 5, size=(100,))", 5, 100),
    ("np.random.randint(0, 5, size=(100, 1))", 5, 100),
    ("np.random.randint(low=0, high=7, size=40)", 7, 40),
    ("np.random.randint(0, 3, len(x))", 3, None),
])
def test_random_integer_vectors_are_class_ids(expression: str, n_classes: int, n_samples: int | None) -> None:
    labels = fit_labels(f"x = np.load('x.npy')\ny = {expression}\nmodel.fit(x, y)\n")
    assert (labels.encoding, labels.n_classes, labels.n_samples) == ("int", n_classes, n_samples)


@pytest.mark.parametrize("expression", ["np.random.randint(0, 256, (100, 28, 28))", "np.random.randint(0, 5)",
                                        "np.random.randint(0, 5, shape)"])
def test_random_integer_images_or_scalars_are_not_labels(expression: str) -> None:
    assert fit_labels(f"x = np.load('x.npy')\ny = {expression}\nmodel.fit(x, y)\n").encoding is None


@pytest.mark.parametrize("body", [
    "from sklearn.preprocessing import LabelEncoder\ny = LabelEncoder().fit_transform(df['c'])",
    "from sklearn.preprocessing import LabelEncoder\ny = LabelEncoder().fit(df['c']).transform(df['c'])",
    "y = pd.factorize(df['c'])[0]",
    "y, names = df['c'].factorize()",
    "y = df['c'].astype('category').cat.codes",
    "y = df.c.astype('category').cat.codes.values",
    "y = pd.Categorical(df['c']).codes",
])
def test_integer_encoders_of_a_column(body: str) -> None:
    labels = fit_labels(f"df = pd.read_csv('d.csv')\n{body}\nmodel.fit(df.drop('c', axis=1), y)\n")
    assert labels.encoding == "int"


@pytest.mark.parametrize("selection", ["df['label']", "df.label", "df[['label']]", "df.iloc[:, -1]",
                                       "df.loc[:, 'label']", "df.pop('label')", "df['label'].values.astype(int)",
                                       "np.loadtxt('t.csv', delimiter=',')[:, 0]"])
def test_one_column_of_a_table(selection: str) -> None:
    assert fit_labels(f"df = pd.read_csv('d.csv')\ny = {selection}\nmodel.fit(df, y)\n").encoding == "column"


@pytest.mark.parametrize("selection", ["df[['a', 'b']]", "df.iloc[:, 1:]", "np.stack(df['vectors'].values)",
                                       "np.array(df['vectors'].tolist())", "np.load('a.npy')[:, 0]",
                                       "df[df.columns.drop('id')]", "df[df['a'] > 0]"])
def test_not_a_single_column(selection: str) -> None:
    assert fit_labels(f"df = pd.read_csv('d.csv')\ny = {selection}\nmodel.fit(df, y)\n").encoding != "column"


def test_one_hot_encoders_of_a_column() -> None:
    for body in ("y = pd.get_dummies(df['label'])", "y = keras.utils.to_categorical(df.label)",
                 "y = np.eye(4)[df['label'].values]"):
        assert fit_labels(f"df = pd.read_csv('d.csv')\n{body}\nmodel.fit(df, y)\n").encoding == "onehot", body


def test_eye_with_other_columns_is_not_one_hot() -> None:
    flags = fit_labels("y = np.eye(10, 1)[np.load('y.npy')]\nmodel.fit(np.load('x.npy'), y)\n")
    square = fit_labels("y = np.eye(10, M=10)[np.load('y.npy')]\nmodel.fit(np.load('x.npy'), y)\n")
    assert flags.encoding is None and (square.encoding, square.n_classes) == ("onehot", 10)


def test_a_column_has_the_label_shape_of_class_ids_but_not_of_one_hot() -> None:
    assert same_label_shape("int", "column") and same_label_shape("onehot", "onehot")
    assert not same_label_shape("onehot", "column") and not same_label_shape("int", "onehot")


# --------------------------------------------------------------------- TF1 read_data_sets
@pytest.mark.parametrize("call, encoding", [
    ("input_data.read_data_sets('MNIST_data')", "int"),
    ("input_data.read_data_sets('MNIST_data', one_hot=False)", "int"),
    ("input_data.read_data_sets('MNIST_data', one_hot=True)", "onehot"),
    ("input_data.read_data_sets('MNIST_data', False, True)", "onehot"),
    ("input_data.read_data_sets('MNIST_data', one_hot=flag)", None),
])
def test_tf1_mnist_reader(call: str, encoding: str | None) -> None:
    script = build(HEAD + "from tensorflow.examples.tutorials.mnist import input_data\n"
                   f"mnist = {call}\nmodel.fit(mnist.train.images, mnist.train.labels)\n"
                   "model.evaluate(mnist.test.images, mnist.test.labels)\n")
    by_kind = {(e.kind, e.role): e.data for e in script.data_events}
    assert by_kind["fit", "y"].encoding == encoding and by_kind["fit", "y"].n_classes == 10
    assert (by_kind["fit", "x"].n_samples, by_kind["evaluate", "x"].n_samples) == (55000, 10000)
    assert not by_kind["fit", "x"].source.pixels  # float32 in [0, 1] already


def test_tf1_mnist_batches_and_sizes() -> None:
    script = build(HEAD + "from tensorflow.examples.tutorials.mnist import input_data\n"
                   "mnist = input_data.read_data_sets('d', validation_size=10000, dtype=tf.uint8)\n"
                   "xs, ys = mnist.train.next_batch(128)\nmodel.train_on_batch(xs, ys)\n"
                   "model.evaluate(mnist.validation.images, mnist.validation.labels)\n")
    by_kind = {(e.kind, e.role): e.data for e in script.data_events}
    assert by_kind["fit", "y"].n_samples == 128 and by_kind["fit", "y"].encoding == "int"
    assert by_kind["fit", "x"].source.pixels and by_kind["evaluate", "x"].n_samples == 10000


# ------------------------------------------------------------------- fit/evaluate keywords
@pytest.mark.parametrize("positional, keywords", [
    ("model.fit(x, y)", "model.fit(x=x, y=y)"),
    ("model.fit(x, y, validation_data=(xv, yv))", "model.fit(y=y, x=x, validation_data=(xv, yv))"),
    ("model.evaluate(x, y)", "model.evaluate(x=x, y=y)"),
    ("model.predict(x)", "model.predict(x=x)"),
    ("model.train_on_batch(x, y)", "model.train_on_batch(x=x, y=y)"),
    ("model.test_on_batch(x, y)", "model.test_on_batch(x=x, y=y)"),
    ("model.fit(x, y, 32, 3)", "model.fit(x, y=y, batch_size=32, epochs=3)"),
])
def test_keyword_arguments_feed_the_same_data_events(positional: str, keywords: str) -> None:
    setup = ("(x, y), (xv, yv) = keras.datasets.mnist.load_data()\n")

    def events(call: str):
        return [(e.kind, e.role, e.data.name, e.data.encoding) for e in build(HEAD + setup + call + "\n").data_events]

    assert events(keywords) == events(positional) != []


# ---------------------------------------------------------------------------------- tf.data
@pytest.mark.parametrize("chain", ["batch(32)", "shuffle(100)", "cache()", "prefetch(tf.data.AUTOTUNE)",
                                   "repeat()", "take(10)", "shuffle(buffer_size=64).batch(8).repeat().prefetch(1)"])
def test_dataset_methods_keep_what_is_known(chain: str) -> None:
    body = ("(x, y), _ = keras.datasets.cifar10.load_data()\n"
            f"ds = tf.data.Dataset.from_tensor_slices((x / 255, y)).{chain}\nmodel.fit(ds)\n")
    inputs, labels = fit_inputs(body), fit_labels(body)
    assert inputs.scaling == ("scale:/255",) and inputs.source.pixels and inputs.batches
    assert (labels.encoding, labels.n_classes) == ("int", 10)


@pytest.mark.parametrize("mapping, scaling, encoding", [
    ("lambda x, y: (x / 255, y)", ("scale:/255",), "int"),
    ("lambda x, y: (tf.cast(x, tf.float32) / 255.0, tf.one_hot(y, 10))", ("scale:/255",), "onehot"),
    ("lambda x, y: (tf.image.random_flip_left_right(x), y)", (), "int"),
    ("lambda x, y: (rescale(x), y)", ("scale:/255",), "int"),
    ("lambda pair: (pair[0] / 127.5, pair[1])", ("scale:/127.5",), "int"),
    ("lambda x, y: (x / 255, lookup(y))", ("scale:/255",), None),
])
def test_dataset_map_interprets_the_function(mapping: str, scaling: tuple, encoding: str | None) -> None:
    body = ("(x, y), _ = keras.datasets.cifar10.load_data()\nrescale = keras.layers.Rescaling(1 / 255)\n"
            f"ds = tf.data.Dataset.from_tensor_slices((x, y)).map({mapping}).batch(32)\nmodel.fit(ds)\n")
    script = build(HEAD + body)
    found = {e.role: e.data for e in script.data_events if e.kind == "fit"}
    assert found["x"].scaling == scaling
    assert (found["y"].encoding if "y" in found else None) == encoding


def test_dataset_zip_pairs_inputs_with_labels() -> None:
    body = ("(x, y), _ = keras.datasets.mnist.load_data()\n"
            "ds = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x / 255),"
            " tf.data.Dataset.from_tensor_slices(y))).batch(8)\nmodel.fit(ds)\n")
    assert fit_inputs(body).scaling == ("scale:/255",) and fit_labels(body).encoding == "int"


# ------------------------------------------------------------------- per-sample prediction
def test_len_of_a_known_array_is_a_number_and_still_walks_samples() -> None:
    script = build(HEAD + "(x, y), (xt, yt) = keras.datasets.mnist.load_data()\nsteps = len(x) // 32\n"
                   "model.fit(x, y, steps_per_epoch=steps)\nfor i in range(len(xt)):\n    model.predict(xt[i:i + 1])\n")
    fit = script.models[0].fits[0]
    assert fit.steps_per_epoch.value == 60000 // 32
    call = script.models[0].inferences[0]
    assert call.x.data.is_sample and call.loop.per_sample and call.loop.count == 10000


@pytest.mark.parametrize("index", ["img[np.newaxis]", "img[np.newaxis, ...]", "img[None, :, :]",
                                   "img[None, ...]", "np.expand_dims(img, 0)"])
def test_adding_an_axis_keeps_one_sample(index: str) -> None:
    script = build(HEAD + f"images = np.load('i.npy')\nfor img in images:\n    model.predict({index})\n")
    assert script.models[0].inferences[0].x.data.is_sample


def test_a_slice_from_the_start_counts_its_samples() -> None:
    script = build(HEAD + "(x, y), (xt, yt) = keras.datasets.mnist.load_data()\nmodel.predict(xt[:8])\n"
                   "model.predict(xt[:])\nmodel.predict(xt[2:-2])\n")
    assert [c.x.data.n_samples for c in script.models[0].inferences] == [8, 10000, 9996]


# --------------------------------------------------------------------------- rule logic
def test_ks401_names_the_loop_that_repeats(lint_text) -> None:
    findings = lint_text(
        "import numpy as np\nfrom tensorflow import keras\n"
        "(_, _), (x_test, _) = keras.datasets.mnist.load_data()\nmodel = keras.models.load_model('m.keras')\n"
        "for img in x_test:\n    for k in range(3):\n        model.predict(img[np.newaxis])\n"
        "for ax, img in zip(axes, x_test):\n    model.predict(img[None])\n"
        "for img in x_test[:100]:\n    model.predict(img[None])\n"
        "for img in x_test[:101]:\n    model.predict(img[None])\n")
    assert [(f.code, f.line) for f in findings] == [("KS401", 7), ("KS401", 13)]
    assert "(line 5)" in findings[0].message and "(line 12)" in findings[1].message


def test_ks102_uses_the_loss_compiled_before_the_labels_arrive(lint_text) -> None:
    source = ("from tensorflow import keras\n(x, y), _ = keras.datasets.mnist.load_data()\n"
              "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
              "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x / 255, y)\n"
              "model.compile(loss='categorical_crossentropy')\n")
    assert lint_text(source) == []
    assert [(f.code, f.line) for f in lint_text(source + "model.fit(x / 255, y)\n")] == [("KS102", 7)]


def test_ks102_reports_the_training_labels_once(lint_text) -> None:
    findings = lint_text(
        "from tensorflow import keras\n(x, y), (xt, yt) = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(x / 255, y)\n"
        "model.evaluate(xt / 255, keras.utils.to_categorical(yt))\n")
    assert [(f.code, f.line) for f in findings] == [("KS102", 5)]


@pytest.mark.parametrize("loss, words, absent", [
    ("'categorical_crossentropy'", "a few classes", "targets"),
    ("'mse'", "far from the targets", "classes"),
    ("keras.losses.Huber()", "far from the targets", "classes"),
    ("my_loss", "are wrong", "classes"),
])
def test_ks201_consequence_follows_the_task(lint_text, loss: str, words: str, absent: str) -> None:
    findings = lint_text(
        "from tensorflow import keras\n(x, y), (xt, yt) = keras.datasets.cifar10.load_data()\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
        f"model.compile(loss={loss})\nmodel.fit(x / 255, y)\nmodel.evaluate(xt, yt)\n")
    ks201 = [f for f in findings if f.code == "KS201"]
    said = f"{ks201[0].message} {ks201[0].explanation}"  # the consequence is in the explanation (full output)
    assert len(ks201) == 1 and words in said and absent not in said


@pytest.mark.parametrize("expression, scaling", [
    ("(x - x.min()) / (x.max() - x.min())", ("shift:-min", "minmax:/max-min")),
    ("(x - np.amin(x)) / (np.amax(x) - np.amin(x) + 1e-8)", ("shift:-amin", "minmax:/max-min")),
    ("(x - x.mean()) / (x.std() + 1e-7)", ("shift:-mean", "standardize:/std")),
    ("x / (x.max() - other.min())", ("scale:/?",)),
])
def test_statistics_of_an_array_make_known_scalings(expression: str, scaling: tuple) -> None:
    body = f"x = np.load('x.npy')\nother = np.load('o.npy')\nx = {expression}\nmodel.fit(x, np.load('y.npy'))\n"
    assert fit_inputs(body).scaling == scaling


def test_row_subsets_of_a_table_keep_its_history() -> None:
    body = ("df = pd.read_csv('d.csv') / 10\ntrain = df.sample(frac=0.7).reset_index(drop=True)\n"
            "model.fit(train.drop('y', axis=1), train['y'])\n")
    assert fit_inputs(body).scaling == ("scale:/10",) and fit_labels(body).encoding == "column"


@pytest.mark.parametrize("call", ["keras.utils.pad_sequences(x, maxlen=200)",
                                  "tf.keras.preprocessing.sequence.pad_sequences(x, maxlen=200)"])
def test_padded_sequences_are_the_same_samples(call: str) -> None:
    body = f"(x, y), _ = keras.datasets.imdb.load_data(num_words=10000)\nx = {call}\nmodel.fit(x, y)\n"
    inputs = fit_inputs(body)
    assert inputs.source.description == "imdb.load_data()" and inputs.n_samples == 25000 and not inputs.is_scaled


# ------------------------------------------------------------- pipelines of unknown elements
@pytest.mark.parametrize("body, split", [
    ("import tensorflow_datasets as tfds\nds = tfds.load('imdb_reviews', split='test', as_supervised=True)\n", "test"),
    ("import tensorflow_datasets as tfds\nds, info = tfds.load('mnist', split='test[:50%]', with_info=True)\n", "test"),
    ("import tensorflow_datasets as tfds\n_, ds = tfds.load('mnist', split=['train', 'train[90%:]'])\n", None),
    ("ds = keras.utils.text_dataset_from_directory('reviews/test')\n", None),
    ("ds = tf.keras.utils.timeseries_dataset_from_array(np.zeros((500, 3)), None, sequence_length=10)\n", None),
    ("ds = tf.data.TFRecordDataset('test.tfrecord').map(tf.io.parse_tensor)\n", None),
])
def test_pipeline_readers_give_a_dataset_of_unknown_elements(body, split):
    data = fit_inputs(body + "model.fit(ds)\n")
    assert data.batches and data.split == split and not data.source.pixels and data.labels is None


@pytest.mark.parametrize("name, color", [("mnist", "gray"), ("cifar10", "rgb"), ("eurosat/rgb", "rgb"),
                                         ("oxford_iiit_pet:3.*.*", "rgb")])
def test_a_tfds_image_set_read_as_pairs_gives_pixels_and_their_labels(name: str, color: str) -> None:
    data = fit_inputs(f"import tensorflow_datasets as tfds\nds = tfds.load({name!r}, split='test', "
                      f"as_supervised=True)\nmodel.fit(ds)\n")
    assert data.source.pixels and data.source.color == color and data.split == "test" and data.batches
    assert data.labels is not None and data.labels.encoding == "int"


def test_map_through_an_unmodelled_function_keeps_the_split_and_hides_the_scaling():
    """A later comparison of scaling (KS201/KS204) must not read 'not scaled' into an unknown map."""
    data = fit_inputs("import tensorflow_datasets as tfds\nds = tfds.load('mnist', split='test')\n"
                      "ds = ds.map(tf.io.parse_tensor).batch(32)\nmodel.fit(ds)\n")
    assert data.split == "test" and data.batches and "?" in "".join(data.scaling)


@pytest.mark.parametrize("body", [
    "from sklearn.datasets import load_iris\nx, y = load_iris(return_X_y=True)\n",
    "from sklearn.datasets import fetch_california_housing\nbunch = fetch_california_housing()\nx = bunch.data\n",
])
def test_sklearn_bundled_data_sets_are_arrays(body):
    data = fit_inputs(body + "model.fit(x)\n")
    assert data.source.kind == "file" and data.split is None


def test_rows_reordered_by_a_permutation_keep_their_count():
    data = fit_inputs("x = np.zeros((500, 4))\norder = np.random.permutation(len(x))\nx = x[order]\nmodel.fit(x)\n")
    assert data.n_samples == 500


def test_a_permuted_array_itself_stays_unknown():
    """np.random.permutation(x) shuffles x alone (its labels keep their order): not the same samples as x."""
    script = build(HEAD + "x = np.zeros((500, 4))\nx = np.random.permutation(x)\nmodel.fit(x)\n")
    assert not [e for e in script.data_events if e.kind == "fit"]


def test_tokenizer_rows_follow_the_texts():
    data = fit_inputs("from tensorflow.keras.preprocessing.text import Tokenizer\ntok = Tokenizer()\n"
                      "texts = np.load('texts.npy')\nx = tok.texts_to_sequences(texts)\nmodel.fit(x)\n")
    assert data.source.kind == "file" and data.encoding is None


@pytest.mark.parametrize("body, ordered", [
    ("y = np.concatenate([np.zeros(10), np.ones(10)])\n", True),
    ("y = np.hstack([np.zeros(10), np.ones(10)])\n", True),
    ("y = np.concatenate([np.zeros(10), np.zeros(10)])\n", False),  # one class
    ("y = np.concatenate([np.zeros(10), np.ones(10)])\np = np.arange(20)\nnp.random.shuffle(p)\ny = y[p]\n", False),
    ("y = np.concatenate([np.zeros(10), np.ones(10)])\n_, _, y, _ = train_test_split(x, y)\n", False),
    ("y = np.concatenate([np.zeros(10), np.ones(10)])\n_, _, y, _ = train_test_split(x, y, shuffle=False)\n", True),
])
def test_labels_built_by_class_blocks_keep_that_order_until_reindexed(body: str, ordered: bool) -> None:
    from kerassniff.semantic.class_labels import ordered_by_class

    source = "from sklearn.model_selection import train_test_split\nx = np.load('x.npy')\n" + body + "model.fit(x, y)\n"
    assert ordered_by_class(fit_labels(source)) is ordered


def test_names_that_say_a_split_of_inputs_or_labels() -> None:
    from kerassniff.semantic.array_names import names_a_split_array

    for name in ("X_test", "y_train", "testY", "xtrain", "train_images", "val_labels", "test_seqs", "Xval",
                 "test_dataset", "train_gen"):
        assert names_a_split_array(name), name
    for name in ("model", "history", "test", "first", "latest_x", "contest_y", "x", "settings", "train_config",
                 "train_data_dir", "x_train_len", "test_input_fn"):
        assert not names_a_split_array(name), name


def test_value_range_follows_constant_shifts_and_scales_only() -> None:
    import libcst as cst

    from kerassniff.semantic.dataflow import Data, Source, Step

    node = cst.Name("x")
    pixels = Data(Source("dataset", "mnist.load_data()", node, pixels=True), 1, node=node)

    def after(*steps: tuple[str, str]) -> tuple[float, float] | None:
        return pixels._but(steps=tuple(Step(kind, detail, node) for kind, detail in steps)).value_range

    assert after() == (0.0, 255.0)
    assert after(("cast", "?"), ("shift", "-127.5"), ("scale", "/127.5"), ("reshape", "reshape")) == (-1.0, 1.0)
    assert after(("scale", "*-2")) == (-510.0, 0.0)
    assert after(("scale", "/max")) is None and after(("standardize", "StandardScaler")) is None
    assert after(("shift", "-mean"), ("scale", "/255")) is None


@pytest.mark.parametrize("split, read", [
    ("train", ("train", 0.0, 100.0, "%")), ("train[:80%]", ("train", 0.0, 80.0, "%")),
    ("train[10%:]", ("train", 10.0, 100.0, "%")), ("test[1000:2000]", ("test", 1000.0, 2000.0, "")),
    ("train[:80%]+test", None), ("train[::2]", None), ("train[-10%:]", None), ("train[10%:1000]", None),
    ("train[:\u00b2]", None),
])
def test_a_tfds_split_string_is_read_as_a_slice_of_a_split(split: str, read) -> None:
    """KS206's TFDS slices: what TFDS's syntax says, None for what it cannot compare (a sum, a step, a sign, mixed
    units, a digit Python's float() does not read)."""
    from kerassniff.semantic.knowledge.datasets import tfds_slice

    assert tfds_slice(split) == read


@pytest.mark.parametrize("binding, whole_of", [
    ("x = x_test", "x_test"),
    ("x = x_test.cache().prefetch(2)", "x_test"),
    ("x = x_test\nx = x.repeat()", "x_test"),
    ("y = x_test\nx = y", "x_test"),  # an alias of an alias is all of the first array
    ("x = x_test.take(3)", None),  # a part
    ("x = x_test\nx = x.skip(3)", None),  # a part, bound to the same name
    ("x = x_test[:10]", None),
    ("x = x_test / 2", None),
])
def test_a_name_bound_to_a_whole_array_says_whose_it_is(binding: str, whole_of: str | None) -> None:
    """Names tell arrays of one source apart (a slice adds no step), so an alias keeps whose array it is all of."""
    script = build(HEAD + f"x_test = tf.data.Dataset.from_tensor_slices(np.zeros((10, 3)))\n{binding}\n"
                          "model.fit(x)\nmodel.evaluate(x_test)\n")
    fitted, evaluated = ([e.data for e in script.data_events if e.kind == kind and e.role == "x"][0]
                         for kind in ("fit", "evaluate"))
    assert fitted.whole_of == whole_of
    assert fitted.is_same_array(evaluated) == (whole_of is not None)


@pytest.mark.parametrize("expression, n_samples", [
    ("np.arange(9).reshape(1, 9)", 1),  # one sample of nine values, not nine samples
    ("np.arange(9).reshape((3, 3))", 3),
    ("np.arange(9).reshape(-1, 1)", 9),  # -1: the count stays what it was
    ("np.random.rand(60, 4).reshape(60, 2, 2)", 60),
])
def test_a_reshape_with_a_written_first_size_sets_the_sample_count(expression: str, n_samples: int) -> None:
    assert fit_inputs(f"x = {expression}\nmodel.fit(x, np.zeros((n, 3)))\n").n_samples == n_samples


# ----------------------------------------------------------------------------------- padding
@pytest.mark.parametrize("call, settings", [
    ("keras.utils.pad_sequences(seqs)", {"maxlen": None, "padding": "pre", "truncating": "pre"}),
    ("keras.utils.pad_sequences(seqs, 100, padding='post')", {"maxlen": 100, "padding": "post", "truncating": "pre"}),
    ("keras.utils.pad_sequences(seqs, maxlen=LENGTH, truncating=SIDE)",
     {"maxlen": 64, "padding": "pre", "truncating": "post"}),
    ("keras.utils.pad_sequences(seqs, 100, 'int32', 'post', 'post')",
     {"maxlen": 100, "padding": "post", "truncating": "post"}),
])
def test_pad_sequences_keeps_its_settings(call: str, settings: dict) -> None:
    """The step records maxlen=, padding= and truncating= folded to constants (defaults when not given)."""
    data = fit_inputs(f"LENGTH, SIDE = 64, 'post'\nseqs = np.load('ids.npy', allow_pickle=True)\n"
                      f"model.fit({call}, np.load('y.npy'))\n")
    step = next(step for step in data.steps if step.detail == "pad_sequences")
    assert {name: step.setting(name) for name in settings} == settings


def test_pad_sequences_settings_not_known() -> None:
    """A setting that is not a constant, or any behind **kwargs, is NOT_KNOWN (rules compare only known ones)."""
    from kerassniff.semantic.dataflow import NOT_KNOWN

    data = fit_inputs("seqs = np.load('ids.npy', allow_pickle=True)\nside = input()\n"
                      "model.fit(keras.utils.pad_sequences(seqs, padding=side), np.load('y.npy'))\n")
    step = next(step for step in data.steps if step.detail == "pad_sequences")
    assert step.setting("padding") is NOT_KNOWN and step.setting("maxlen") is None
    data = fit_inputs("seqs = np.load('ids.npy', allow_pickle=True)\noptions = dict(padding='post')\n"
                      "model.fit(keras.utils.pad_sequences(seqs, **options), np.load('y.npy'))\n")
    step = next(step for step in data.steps if step.detail == "pad_sequences")
    assert step.setting("padding") is NOT_KNOWN and step.setting("maxlen") is NOT_KNOWN


@pytest.mark.parametrize("keywords, shuffled", [("", True), (", shuffle=True", True), (", shuffle=False", False),
                                                (", shuffle=flag", None)])
def test_train_test_split_says_whether_it_drew_rows_at_random(keywords: str, shuffled: bool | None) -> None:
    """Each part of a train_test_split knows whether its rows were drawn at random (KS216 reports only an ordered
    split of a series)."""
    data = fit_inputs(f"from sklearn.model_selection import train_test_split\nflag = input() == 'y'\n"
                      f"x = np.load('x.npy')\nx_train, x_test = train_test_split(x{keywords})\n"
                      f"model.fit(x_train, np.load('y.npy'))\n")
    assert data.split == "train" and data.shuffled_split is shuffled


def test_each_split_remembers_the_tokenizer_that_encoded_it() -> None:
    """A helper that fits a new Tokenizer per call gives each split its own tokenizer, each fitted on its texts;
    one tokenizer used for both splits is the same object in both histories."""
    from kerassniff.semantic.values import Instance

    def tokenizers(body: str):
        script = build(HEAD + "from keras.preprocessing.text import Tokenizer\n"
                       "texts = pd.read_csv('t.csv')['text']\ntest_texts = pd.read_csv('u.csv')['text']\n" + body)
        steps = {e.kind: next(s for s in e.data.steps if s.detail == "texts_to_sequences")
                 for e in script.data_events if e.role == "x"}
        return steps["fit"].setting("tokenizer"), steps["evaluate"].setting("tokenizer")

    own, other = tokenizers("def encode(t):\n    tok = Tokenizer()\n    tok.fit_on_texts(t)\n"
                            "    return tok.texts_to_sequences(t)\n"
                            "model.fit(encode(texts), np.zeros(3))\nmodel.evaluate(encode(test_texts), np.zeros(3))\n")
    assert isinstance(own, Instance) and isinstance(other, Instance) and own is not other
    assert len(own.fitted_on) == 1 and len(other.fitted_on) == 1
    shared, again = tokenizers("tok = Tokenizer()\ntok.fit_on_texts(texts)\n"
                               "model.fit(tok.texts_to_sequences(texts), np.zeros(3))\n"
                               "model.evaluate(tok.texts_to_sequences(test_texts), np.zeros(3))\n")
    assert shared is again and len(shared.fitted_on) == 1


def test_pad_sequences_of_a_list_built_in_a_loop_is_an_array() -> None:
    """n-grams appended in a loop and padded: a new array of unknown content whose history holds the padding, so a
    column taken from it (the last token as labels) keeps padding='post'."""
    data = fit_labels("grams = []\nfor ids in np.load('ids.npy', allow_pickle=True):\n    grams.append(ids)\n"
                      "table = keras.utils.pad_sequences(grams, maxlen=9, padding='post')\n"
                      "model.fit(table[:, :-1], table[:, -1])\n")
    assert data.source.kind == "unknown"
    assert [(step.detail, step.setting("padding")) for step in data.steps][:1] == [("pad_sequences", "post")]
