"""One module per rule, named after its code: ``ks101_binary_crossentropy_multiclass``.

Importing this package registers every rule.
"""
from kerassniff.checks import (  # noqa: F401
    ks001_parse_error,
    ks002_analysis_limit,
    ks101_binary_crossentropy_multiclass,
    ks102_label_encoding_mismatch,
    ks103_single_unit_softmax,
    ks104_logits_mismatch,
    ks105_topk_ties,
    ks106_categorical_loss_on_sigmoid,
    ks107_bounded_regression_output,
    ks111_output_units_vs_classes,
    ks201_unscaled_split,
    ks202_unscaled_input,
    ks203_cross_script_preprocessing,
    ks204_generator_rescale_mismatch,
    ks205_test_set_as_validation,
    ks207_double_scaling,
    ks301_decreasing_filters,
    ks302_batchnorm_few_updates,
    ks310_unflattened_feature_map,
    ks311_batchnorm_single_sample_batches,
    ks401_predict_in_loop,
    ks402_legacy_keras_api,
    ks403_fractional_steps,
    ks404_removed_alias,
    ks501_training_step_failure,
    ks502_non_finite_loss,
    ks503_unscaled_features_observed,
)
