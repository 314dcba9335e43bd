"""dlcourse.recipes: a Recipe run is exactly the hand-written seed → build → fit, with changes routed by name."""

from __future__ import annotations

from functools import partial

import pytest
import torch
import torch.nn.functional as F

import dlcourse
from dlcourse import data, models, training
from dlcourse.recipes import Recipe, Run
from dlcourse.regularization import WeightAverage, regularized_loss


@pytest.fixture(scope="module")
def moons():
    return data.make_moons(120, seed=0)


def recipe_for(moons, **settings):
    return Recipe(partial(models.make_mlp, 2, 2, depth=1, width=8), moons, epochs=2, lr=0.05, **settings)


def weights(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def by_hand(moons, seed, activation="relu", **fit_kwargs):
    dlcourse.seed_everything(seed)
    model = models.make_mlp(2, 2, depth=1, width=8, activation=activation)
    history = training.fit(model, moons.train, moons.val, seed=seed, progress=False, **fit_kwargs)
    return model, history


@pytest.mark.parametrize("seed", [0, 3])
def test_a_run_is_the_hand_written_experiment_bit_for_bit(moons, seed):
    model, history = recipe_for(moons).run(seed=seed, activation="tanh")
    expected, expected_history = by_hand(moons, seed, activation="tanh", epochs=2, lr=0.05)
    assert torch.equal(weights(model), weights(expected))
    assert history.val_metric == expected_history.val_metric and history.train_loss == expected_history.train_loss


def test_changes_go_to_fit_or_to_build_by_name(moons):
    recipe = recipe_for(moons)
    run = recipe.run(epochs=3, width=5)
    assert len(run.history) == 3 and run.model[1].out_features == 5
    assert len(recipe.run().history) == 2  # a run's change does not stay in the recipe


def test_an_unknown_name_is_a_type_error_naming_it(moons):
    with pytest.raises(TypeError, match="widht"):
        recipe_for(moons).run(widht=5)
    with pytest.raises(TypeError, match="epoch"):
        recipe_for(moons, epoch=3)  # caught when the recipe is written, not at its first run


def test_build_and_attach_must_be_callables_and_build_must_return_a_module(moons):
    with pytest.raises(TypeError, match="build"):
        Recipe("mlp", moons)
    with pytest.raises(TypeError, match="attach"):
        Recipe(lambda: torch.nn.Linear(2, 2), moons, attach=3)
    with pytest.raises(TypeError, match="nn.Module"):
        Recipe(lambda: "not a model", moons, epochs=1).run()


def test_an_optimizer_factory_brings_its_own_learning_rate(moons):
    recipe = recipe_for(moons)
    run = recipe.run(optimizer=lambda p: torch.optim.SGD(p, lr=0.3))
    assert run.history.lr == [0.3, 0.3]  # the recipe's lr = 0.05 was its named optimizer's, not this one's
    with pytest.raises(ValueError, match="lr"):
        recipe.run(optimizer=lambda p: torch.optim.SGD(p, lr=0.3), lr=0.1)


@pytest.mark.parametrize("optimizer", ["sgd", lambda p: torch.optim.SGD(p, lr=0.05)])
def test_a_scheduler_factory_is_built_around_the_runs_optimizer(moons, optimizer):
    run = recipe_for(moons).run(
        optimizer=optimizer,
        epochs=3,
        scheduler=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5),
    )
    assert run.history.lr == pytest.approx([0.05, 0.025, 0.0125])


def test_attach_builds_settings_from_the_new_model(moons):
    averages = []

    def penalised_and_averaged(model):
        averages.append(WeightAverage(model))
        return {"loss_fn": regularized_loss(model, F.cross_entropy, l2=1e-2), "callbacks": [averages[-1]]}

    model, _ = Recipe(
        partial(models.make_mlp, 2, 2, depth=1, width=8), moons, epochs=2, lr=0.05, attach=penalised_and_averaged
    ).run(seed=1)
    dlcourse.seed_everything(1)
    expected = models.make_mlp(2, 2, depth=1, width=8)
    training.fit(
        expected,
        moons.train,
        moons.val,
        epochs=2,
        lr=0.05,
        seed=1,
        progress=False,
        loss_fn=regularized_loss(expected, F.cross_entropy, l2=1e-2),
    )
    assert torch.equal(weights(model), weights(expected))
    assert averages[0].n_averaged == 2


def test_data_may_be_splits_or_one_training_pair(moons):
    with_val = recipe_for(moons).run()
    without_val = recipe_for(moons).run(data=moons.train)
    assert len(with_val.history.val_metric) == 2 and without_val.history.val_metric == []
    assert torch.equal(weights(with_val.model), weights(without_val.model))


def test_replace_makes_a_new_recipe_and_keeps_the_old(moons):
    recipe = recipe_for(moons)
    longer = recipe.replace(epochs=4, build=partial(models.make_mlp, 2, 2, depth=2, width=4))
    assert recipe.settings["epochs"] == 2 and longer.settings["epochs"] == 4
    assert len(longer.run().model) > len(recipe.run().model)


def test_a_run_unpacks_and_scores_like_evaluate(moons):
    run = recipe_for(moons).run()
    model, history = run
    assert isinstance(run, Run) and history is run.history
    assert next(model.parameters()).device.type == "cpu"
    assert run.score(moons.test) == training.evaluate(model, moons.test)[1]
    assert run.score(moons.test, metric=None) is None
