import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as cwActions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { AssayFunction } from "./assay-function.js";
import { queueVisibilitySeconds, type WorkerSpec } from "./worker-spec.js";

/** SQS's longest retention: a poison message waits in the DLQ two weeks for someone to look at it. */
const DLQ_RETENTION = Duration.days(14);

export interface QueueWorkerProps {
  readonly spec: WorkerSpec;
  /** Environment shared by every function (bucket name, parameter names). */
  readonly environment: Record<string, string>;
  /** Where the DLQ alarm notifies. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * One worker: its queue and DLQ (SQS-managed encryption, TLS only), the function, the SQS event source reporting
 * partial batch failures, and an alarm as soon as anything lands in the DLQ.
 */
export class QueueWorker extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly fn: lambda.Function;
  readonly dlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { spec } = props;

    this.deadLetterQueue = new sqs.Queue(this, "DeadLetterQueue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(queueVisibilitySeconds(spec)),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });

    this.fn = new AssayFunction(this, "Worker", {
      entry: spec.entry,
      description: `assay ${spec.name} worker (SQS)`,
      timeoutSeconds: spec.timeoutSeconds,
      memoryMb: spec.memoryMb,
      reservedConcurrency: spec.reservedConcurrency,
      serviceName: `assay-${spec.name}`,
      // The worker records a failure as final on the receive the queue will dead-letter: the count must be the one
      // the redrive policy above uses, so it comes from the same spec and nowhere else.
      environment: { ...props.environment, MAX_RECEIVE_COUNT: String(spec.maxReceiveCount) },
    }).fn;

    // Grants exactly the consume actions (receive, delete, change visibility, attributes) on this queue.
    this.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: spec.batchSize,
        maxBatchingWindow:
          spec.maxBatchingWindowSeconds !== undefined ? Duration.seconds(spec.maxBatchingWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: spec.maxConcurrency,
      }),
    );

    this.dlqAlarm = new cloudwatch.Alarm(this, "DeadLetterAlarm", {
      alarmDescription: `Messages in the ${spec.name} DLQ: a job has shards that failed ${spec.maxReceiveCount} times`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // An empty DLQ publishes no datapoints at all; silence means healthy.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.dlqAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
  }
}
