import numpy as np

from course_lib.exercises import rnn as ex


def test_forget_memory():
    assert ex.check_forget_memory(0.9**20).status == "correct"
    assert ex.check_forget_memory(...).status == "unsolved"
    one_step = ex.check_forget_memory(0.9)
    assert one_step.status == "wrong" and "one step keeps" in one_step.message
    added = ex.check_forget_memory(1 - 0.1 * 20)
    assert added.status == "wrong" and "multiply, they don't add" in added.message
    off_by_one = ex.check_forget_memory(0.9**19)
    assert off_by_one.status == "wrong" and "acts 20 times" in off_by_one.message
    other = ex.check_forget_memory(0.5)
    assert other.status == "wrong" and "remaining is 0.5 but should be 0.121577" in other.message


def test_edge_of_chaos():
    assert ex.check_edge_of_chaos(1.8).status == "correct"
    assert ex.check_edge_of_chaos(None).status == "unsolved"
    vanishing = ex.check_edge_of_chaos(1.0)
    assert vanishing.status == "wrong" and "still vanishes" in vanishing.message
    exploding = ex.check_edge_of_chaos(3.0)
    assert exploding.status == "wrong" and "explodes" in exploding.message
    not_smallest = ex.check_edge_of_chaos(2.0)  # the lesson's table shows 2.0 works: not enough
    assert not_smallest.status == "wrong" and "smallest" in not_smallest.message
    assert "so does 1.80" in ex.check_edge_of_chaos(1.9).message  # names the smallest that works
    assert "between 0 and 10" in ex.check_edge_of_chaos(-1).message
    assert ex.edge_ratio(1.75) < 0.1 < ex.edge_ratio(1.8) < 10


def solution(train, held_out, vocab_size):
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    p = counts / counts.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[held_out[:-1], held_out[1:]]))


def test_bigram_reference_counts_pairs_with_add_one_smoothing():
    train, held = np.array([0, 1, 0, 1]), np.array([0, 1, 1])
    # counts + 1: row 0 -> [1, 3], row 1 -> [2, 1]; held pairs (0, 1) and (1, 1)
    expected = -np.mean(np.log([3 / 4, 1 / 3]))
    assert np.isclose(ex.bigram_reference(train, held, 2), expected)


def test_bigram_loss_solution_is_correct_and_names_the_baselines():
    feedback = ex.check_bigram_loss(solution)
    assert feedback.status == "correct"
    assert "2.478 nats per character (perplexity 11.9)" in feedback.message
    assert "unigram's 3.361" in feedback.message
    with_lstm = ex.check_bigram_loss(solution, lstm_loss=1.81)
    assert "the LSTM, at 1.81, is 0.67 nats per character below it" in with_lstm.message


def test_bigram_loss_stub_and_mistakes():
    def stub(train, held_out, vocab_size):
        raise NotImplementedError

    assert ex.check_bigram_loss(stub).status == "unsolved"

    def no_smoothing(train, held_out, vocab_size):
        counts = np.zeros((vocab_size, vocab_size))
        np.add.at(counts, (train[:-1], train[1:]), 1)
        p = counts / counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            return -np.mean(np.log(p[held_out[:-1], held_out[1:]]))

    assert "add one to every count" in ex.check_bigram_loss(no_smoothing).message

    def joint(train, held_out, vocab_size):
        counts = np.ones((vocab_size, vocab_size))
        np.add.at(counts, (train[:-1], train[1:]), 1)
        return -np.mean(np.log(counts[held_out[:-1], held_out[1:]] / counts.sum()))

    assert "normalise each row" in ex.check_bigram_loss(joint).message

    def swapped(train, held_out, vocab_size):
        counts = np.ones((vocab_size, vocab_size))
        np.add.at(counts, (train[:-1], train[1:]), 1)
        p = counts / counts.sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[held_out[1:], held_out[:-1]]))

    assert "wrong way round" in ex.check_bigram_loss(swapped).message

    def cheating(train, held_out, vocab_size):
        return solution(held_out, held_out, vocab_size)

    assert "count the pairs in train" in ex.check_bigram_loss(cheating).message

    def bits(train, held_out, vocab_size):
        return solution(train, held_out, vocab_size) / np.log(2)

    assert "natural logarithm" in ex.check_bigram_loss(bits).message

    def summed(train, held_out, vocab_size):
        return solution(train, held_out, vocab_size) * (len(held_out) - 1)

    assert "average over the held-out pairs" in ex.check_bigram_loss(summed).message

    def array(train, held_out, vocab_size):
        return np.array([1.0, 2.0])

    assert "return one number" in ex.check_bigram_loss(array).message

    other = ex.check_bigram_loss(lambda train, held_out, vocab_size: 1.0)
    assert other.status == "wrong" and other.message.startswith("loss is 1 but should be 0.835")
